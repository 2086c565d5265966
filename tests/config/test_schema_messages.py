"""Schema violations: one exact, readable line per problem, on the offending key."""

from __future__ import annotations

import pytest

from lake.config import load_settings
from tests.config.helpers import SOURCE, STACK, error_lines, lake, transitions, zone

P = "Pulumi.dev.yaml: datalake:"
Z0 = f"{P}zones[0].lifecycle"
ARN = "arn:aws:iam::123456789012:role/LakeAdmin"
CLASSES = "'STANDARD_IA', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'"
NAME_RULE = "lowercase letters, digits and hyphens, starting and ending with a letter or digit"

CASES = [
    pytest.param({"aws:region": "us-east-1"}, [f"{P}name: required key is missing"], id="name-missing"),
    pytest.param(lake(zonez=[]), [f"{P}zonez: unknown key 'zonez' (did you mean 'zones'?)"], id="unknown-key-typo"),
    pytest.param(
        lake(require_sse_header=True),
        [f"{P}require_sse_header: unknown key 'require_sse_header' (did you mean 'requireSseHeader'?)"],
        id="unknown-key-snake-case",
    ),
    pytest.param(lake(colour="blue"), [f"{P}colour: unknown key 'colour'"], id="unknown-key-no-suggestion"),
    pytest.param(
        lake(zones=[{"name": "raw", "lifecylce": {}}]),
        [f"{P}zones[0].lifecylce: unknown key 'lifecylce' (did you mean 'lifecycle'?)"],
        id="unknown-nested-key",
    ),
    pytest.param(
        lake(logs={"lifecycle": {"retentionDays": 30}}),
        [f"{P}logs.lifecycle.retentionDays: unknown key 'retentionDays' (did you mean 'expirationDays'?)"],
        id="unknown-logs-lifecycle-key",
    ),
    pytest.param(lake(name=123), [f"{P}name: expected a string, got integer 123"], id="name-type"),
    pytest.param(
        lake(deployer="arn:aws:iam::123456789012:root"),
        [f"{P}deployer: expected an IAM ARN of a role or a user, e.g. "
         "'arn:aws:iam::123456789012:role/PlatformDeployer', got string 'arn:aws:iam::123456789012:root'"],
        id="deployer-not-root",
    ),
    pytest.param(lake(name="ML_Lake"), [f"{P}name: expected {NAME_RULE}, got string 'ML_Lake'"], id="name-pattern"),
    pytest.param(
        lake(production="yes"), [f"{P}production: expected a boolean (true or false), got string 'yes'"], id="bool-type"
    ),
    pytest.param(
        lake(key={"deletionWindowDays": "30"}),
        [f"{P}key.deletionWindowDays: expected an integer, got string '30'"],
        id="integer-as-string",
    ),
    pytest.param(
        lake(key={"deletionWindowDays": True}),
        [f"{P}key.deletionWindowDays: expected an integer, got boolean true"],
        id="integer-as-boolean",
    ),
    pytest.param(
        lake(key={"deletionWindowDays": 30.5}),
        [f"{P}key.deletionWindowDays: expected an integer, got number 30.5"],
        id="integer-as-float",
    ),
    pytest.param(
        lake(key={"deletionWindowDays": 3}),
        [f"{P}key.deletionWindowDays: expected an integer from 7 to 30, got 3"],
        id="below-minimum",
    ),
    pytest.param(
        lake(key={"deletionWindowDays": 45}),
        [f"{P}key.deletionWindowDays: expected an integer from 7 to 30, got 45"],
        id="above-maximum",
    ),
    pytest.param(lake(key=30), [f"{P}key: expected a mapping, got integer 30"], id="object-type"),
    pytest.param(lake(administrators=ARN), [f"{P}administrators: expected a list, got string '{ARN}'"], id="list-type"),
    pytest.param(
        lake(administrators=[ARN, "arn:aws:iam::123456789012:group/Admins"]),
        [
            f"{P}administrators[1]: expected an IAM ARN of an account root, a role or a user, "
            "e.g. 'arn:aws:iam::123456789012:role/LakeAdmin', got string 'arn:aws:iam::123456789012:group/Admins'"
        ],
        id="administrator-not-a-principal-arn",
    ),
    pytest.param(
        lake(administrators=[ARN, "arn:aws:iam::123456789012:root", ARN]),
        [f"{P}administrators[2]: '{ARN}' is already listed at [0]"],
        id="administrator-duplicate",
    ),
    pytest.param(
        lake(tags={"aws:team": "ml"}),
        [f"{P}tags[\"aws:team\"]: expected a key not starting with 'aws:' in any case "
         "(that prefix is reserved for AWS), "
         "got string 'aws:team'"],
        id="tag-key-reserved",
    ),
    pytest.param(
        lake(tags={"": "ml"}),
        [f"{P}tags[\"\"]: expected a length from 1 to 128 characters, got 0"],
        id="tag-key-empty",
    ),
    pytest.param(
        lake(tags={"team": "x" * 257}),
        [f"{P}tags.team: expected a length of at most 256 characters, got 257"],
        id="tag-value-too-long",
    ),
    pytest.param(lake(tags={"team": 5}), [f"{P}tags.team: expected a string, got integer 5"], id="tag-value-type"),
    pytest.param(
        lake(tags={f"t{i}": "v" for i in range(41)}), [f"{P}tags: expected at most 40 entries, got 41"], id="too-many-tags"
    ),
    pytest.param(lake(zones=[]), [f"{P}zones: expected at least 1 item, got an empty list"], id="no-zones"),
    pytest.param(lake(zones=[{"lifecycle": {}}]), [f"{P}zones[0].name: required key is missing"], id="zone-name-missing"),
    pytest.param(
        lake(zones=[zone("raw"), zone("-raw")]),
        [f"{P}zones[1].name: expected {NAME_RULE}, got string '-raw'"],
        id="zone-name-pattern",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((90, "GLACIER-IR")))]),
        [f"{Z0}.transitions[0].storageClass: expected one of {CLASSES}, got string 'GLACIER-IR' "
         "(did you mean 'GLACIER_IR'?)"],
        id="storage-class-typo",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((30, "ONEZONE_IA")))]),
        [f"{Z0}.transitions[0].storageClass: expected one of {CLASSES}, got string 'ONEZONE_IA'"],
        id="storage-class-unsupported",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((-1, "GLACIER")))]),
        [f"{Z0}.transitions[0].days: expected an integer of at least 0, got -1"],
        id="transition-days-negative",
    ),
    pytest.param(
        lake(zones=[zone(transitions=[{"days": 30}])]),
        [f"{Z0}.transitions[0].storageClass: required key is missing"],
        id="transition-class-missing",
    ),
    pytest.param(
        lake(zones=[zone(expirationDays=0)]),
        [f"{Z0}.expirationDays: expected an integer of at least 1, got 0"],
        id="expiration-zero",
    ),
    pytest.param(
        lake(zones=[zone(noncurrentVersions={"newerNoncurrentVersions": 101})]),
        [f"{Z0}.noncurrentVersions.newerNoncurrentVersions: expected an integer from 1 to 100, got 101"],
        id="newer-noncurrent-versions-too-many",
    ),
    pytest.param(
        lake(zones=[zone(abortIncompleteMultipartUploadDays=400)]),
        [f"{Z0}.abortIncompleteMultipartUploadDays: expected an integer from 1 to 365, got 400"],
        id="abort-days-too-many",
    ),
    pytest.param(
        lake(zones=[zone(minimumObjectSize="128K")]),
        [f"{Z0}.minimumObjectSize: expected one of 'all_storage_classes_128K', 'varies_by_storage_class', "
         "got string '128K'"],
        id="minimum-object-size",
    ),
    pytest.param(
        lake(zones=[zone(prefix="/raw/")]),
        [f"{Z0}.prefix: expected a key prefix without a leading '/' (S3 keys do not start with a slash) and without "
         "control characters, "
         "got string '/raw/'"],
        id="prefix-leading-slash",
    ),
    pytest.param(
        lake(logs={"lifecycle": None}),
        [f"{P}logs.lifecycle: expected a mapping, got null"],
        id="logs-lifecycle-null",
    ),
    pytest.param(
        lake(perimeter="on"), [f"{P}perimeter: expected a boolean (true or false), got string 'on'"], id="perimeter-type"
    ),
    pytest.param(
        lake(athena={"bytesScannedCutoffPerQuery": 1048576}),
        [f"{P}athena.bytesScannedCutoffPerQuery: expected an integer of at least 10485760, got 1048576"],
        id="athena-cutoff-below-aws-minimum",
    ),
    pytest.param(
        lake(athena={"bytesScannedCutoffPerQuery": "10GB"}),
        [f"{P}athena.bytesScannedCutoffPerQuery: expected an integer, got string '10GB'"],
        id="athena-cutoff-with-unit",
    ),
    pytest.param(
        lake(athena={"resultsExpirationDays": 0}),
        [f"{P}athena.resultsExpirationDays: expected an integer from 1 to 3650, got 0"],
        id="athena-results-expiration-zero",
    ),
    pytest.param(
        lake(athena={"resultsExpirationDays": 3651}),
        [f"{P}athena.resultsExpirationDays: expected an integer from 1 to 3650, got 3651"],
        id="athena-results-expiration-too-long",
    ),
    pytest.param(
        lake(athena={"workgroup": "primary"}), [f"{P}athena.workgroup: unknown key 'workgroup'"], id="athena-unknown-key"
    ),
    pytest.param(
        {**lake(), "aws:region": "us-east1"},
        ["Pulumi.dev.yaml: aws:region: expected an AWS region such as 'us-east-1' or 'eu-west-3', got string 'us-east1'"],
        id="region-pattern",
    ),
    pytest.param(
        {**lake(), "aws:region": 5},
        ["Pulumi.dev.yaml: aws:region: expected a string, got integer 5"],
        id="region-type",
    ),
]


@pytest.mark.parametrize(("values", "expected"), CASES)
def test_bad_config_is_reported_exactly(values, expected):
    assert error_lines(values) == expected


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1"])
def test_real_regions_are_accepted(region):
    assert load_settings({**lake(), "aws:region": region}, STACK, SOURCE).region == region


def test_every_schema_error_is_reported_at_once_in_path_order():
    values = {
        **lake(name="Lake", production="no", colour="blue"),
        "datalake:zones": [zone(f"z{i}") for i in range(10)] + [{"name": "Z10"}],
        "aws:region": "moon",
    }
    values["datalake:zones"][2] = {"name": "Z2"}
    assert error_lines(values) == [
        "Pulumi.dev.yaml: aws:region: expected an AWS region such as 'us-east-1' or 'eu-west-3', got string 'moon'",
        f"{P}colour: unknown key 'colour'",
        f"{P}name: expected {NAME_RULE}, got string 'Lake'",
        f"{P}production: expected a boolean (true or false), got string 'no'",
        # natural order: [2] before [10], as in the file
        f"{P}zones[2].name: expected {NAME_RULE}, got string 'Z2'",
        f"{P}zones[10].name: expected {NAME_RULE}, got string 'Z10'",
    ]


def test_all_missing_keys_of_one_object_are_reported():
    values = lake(zones=[zone(transitions=[{}])])
    assert error_lines(values) == [
        f"{Z0}.transitions[0].days: required key is missing",
        f"{Z0}.transitions[0].storageClass: required key is missing",
    ]


def test_semantic_checks_wait_for_a_schema_valid_config():
    # production without administrators is a semantic error: not reported while the schema fails.
    values = lake(production=True, key={"deletionWindowDays": 90})
    assert error_lines(values) == [f"{P}key.deletionWindowDays: expected an integer from 7 to 30, got 90"]
