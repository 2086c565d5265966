"""Checks beyond the schema: S3's lifecycle rules, bucket names, production requirements."""

from __future__ import annotations

import pytest

from components.naming import RESERVED_ZONE_NAMES
from tests.config.helpers import error_lines, lake, transitions, warning_lines, zone

P = "Pulumi.dev.yaml: datalake:"
Z0 = f"{P}zones[0].lifecycle"
# Warnings are returned, not raised: they carry no file name.
W = "datalake:"
W0 = f"{W}zones[0].lifecycle"
ARN = "arn:aws:iam::123456789012:role/LakeAdmin"
NAMING_RULE = "may only contain lowercase letters, digits and hyphens, and must begin and end with a letter or digit"

ERROR_CASES = [
    pytest.param(
        lake(production=True),
        [f"{P}administrators: must list at least one IAM ARN when production is true: the production key and "
         "buckets are protected, so someone must be named to administer them"],
        id="production-without-administrators",
    ),
    pytest.param(
        lake(zones=[zone("raw"), zone("curated"), zone("raw")]),
        [f"{P}zones[2].name: zone 'raw' is already declared at zones[0]"],
        id="duplicate-zone",
    ),
    pytest.param(
        lake(zones=[zone("raw"), zone("logs")]),
        [f"{P}zones[1].name: 'logs' is reserved for the access-log bucket 'ml-dev-logs'"],
        id="zone-named-logs",
    ),
    pytest.param(
        lake(zones=[zone("query-results"), zone("raw")]),
        [f"{P}zones[0].name: 'query-results' is reserved for the Athena query-results bucket 'ml-dev-query-results'"],
        id="zone-named-query-results",
    ),
    pytest.param(
        lake(name="x" * 60),
        [f"{P}name: bucket name '{'x' * 60}-dev-logs' is 69 characters long; S3 allows 3 to 63"],
        id="name-too-long-for-every-bucket",
    ),
    pytest.param(
        lake(name="x" * 55, zones=[zone("raw"), zone("processed")]),
        [
            f"{P}name: bucket name '{'x' * 55}-dev-logs' is 64 characters long; S3 allows 3 to 63",
            f"{P}zones[1].name: bucket name '{'x' * 55}-dev-processed' is 69 characters long; S3 allows 3 to 63",
        ],
        id="name-too-long-for-some-buckets",
    ),
    pytest.param(
        lake(name="x" * 46),
        [f"{P}name: bucket name '{'x' * 46}-dev-query-results' is 64 characters long; S3 allows 3 to 63"],
        id="name-too-long-for-the-query-results-bucket",
    ),
    pytest.param(
        lake(name="x" * 50),
        [
            f"{P}name: bucket name '{'x' * 50}-dev-processed' is 64 characters long; S3 allows 3 to 63",
            f"{P}name: bucket name '{'x' * 50}-dev-query-results' is 68 characters long; S3 allows 3 to 63",
        ],
        id="name-too-long-for-query-results-and-a-default-zone",
    ),
    pytest.param(
        lake(name="xn--lake"),
        [f"{P}name: bucket name 'xn--lake-dev-logs' starts with the reserved prefix 'xn--'"],
        id="name-reserved-prefix",
    ),
    pytest.param(
        lake(zones=[zone("raw"), zone("x-s3alias")]),
        [f"{P}zones[1].name: bucket name 'ml-dev-x-s3alias' ends with the reserved suffix '-s3alias'"],
        id="zone-reserved-suffix",
    ),
    pytest.param(
        lake(logs={"lifecycle": {"transitions": []}}),
        [f"{P}logs.lifecycle.expirationDays: required key is missing: without a retention, access logs are kept "
         "and billed forever"],
        id="logs-without-retention",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((10, "STANDARD_IA")))]),
        [f"{Z0}.transitions[0].days: S3 moves objects to STANDARD_IA only after 30 days; got day 10"],
        id="standard-ia-too-early",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((90, "GLACIER_IR"), (60, "GLACIER")))]),
        [f"{Z0}.transitions[1].days: day 60 is not after the previous transition's day 90"],
        id="days-not-increasing",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((30, "GLACIER"), (120, "GLACIER_IR")))]),
        [f"{Z0}.transitions[1].storageClass: GLACIER_IR is not colder than the previous transition's GLACIER; "
         "classes must get colder in the order STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE"],
        id="class-not-colder",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((30, "STANDARD_IA"), (45, "GLACIER_IR")))]),
        [f"{Z0}.transitions[1].days: day 45 is only 15 days after the previous transition (day 30); "
         "the lake requires at least 30 (S3 itself does after STANDARD_IA)"],
        id="transitions-too-close",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((30, "STANDARD_IA"), (90, "GLACIER_IR")), expirationDays=90)]),
        [f"{Z0}.expirationDays: expiration at day 90 must come after the last transition, to GLACIER_IR at day 90"],
        id="expiration-not-after-last-transition",
    ),
    pytest.param(
        lake(zones=[zone("scratch", expirationDays=60)]),
        [f"{Z0}.expirationDays: expiration at day 60 must come after the last transition, to GLACIER_IR at day 90 "
         "(a default transition)"],
        id="expiration-before-default-transitions",
    ),
    pytest.param(
        lake(zones=[zone(noncurrentVersions={"transitions": transitions((120, "GLACIER"))})]),
        [f"{Z0}.noncurrentVersions.expirationDays: expiration at day 90 (the default) must come after the last "
         "transition, to GLACIER at day 120"],
        id="default-noncurrent-expiration-before-transition",
    ),
    pytest.param(
        lake(zones=[zone(noncurrentVersions={"transitions": transitions((7, "STANDARD_IA"))})]),
        [f"{Z0}.noncurrentVersions.transitions[0].days: S3 moves noncurrent versions to STANDARD_IA only after "
         "30 days; got day 7"],
        id="noncurrent-standard-ia-too-early",
    ),
    pytest.param(
        lake(logs={"lifecycle": {"transitions": transitions((0, "GLACIER"), (30, "GLACIER")), "expirationDays": 365}}),
        [f"{P}logs.lifecycle.transitions[1].storageClass: GLACIER is not colder than the previous transition's "
         "GLACIER; classes must get colder in the order STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE"],
        id="logs-lifecycle-checked-too",
    ),
]


@pytest.mark.parametrize(("values", "expected"), ERROR_CASES)
def test_semantic_error_is_reported_exactly(values, expected):
    assert error_lines(values) == expected


@pytest.mark.parametrize("reserved", RESERVED_ZONE_NAMES)
def test_every_reserved_zone_name_is_refused_naming_the_bucket_it_would_collide_with(reserved):
    [line] = error_lines(lake(zones=[zone(reserved)]))
    assert line.startswith(f"{P}zones[0].name: '{reserved}' is reserved for ")
    assert line.endswith(f" 'ml-dev-{reserved}'")


def test_stack_name_that_spoils_every_bucket_name_is_reported_once():
    # Pulumi allows upper case in stack names; S3 does not in bucket names.
    assert error_lines(lake(), stack="Dev") == [f"{P}name: bucket name 'ml-Dev-logs' {NAMING_RULE}"]


def test_one_transition_can_break_several_rules():
    values = lake(zones=[zone(transitions=transitions((60, "GLACIER_IR"), (20, "STANDARD_IA")))])
    assert error_lines(values) == [
        f"{Z0}.transitions[1].days: S3 moves objects to STANDARD_IA only after 30 days; got day 20",
        f"{Z0}.transitions[1].days: day 20 is not after the previous transition's day 60",
        f"{Z0}.transitions[1].storageClass: STANDARD_IA is not colder than the previous transition's GLACIER_IR; "
        "classes must get colder in the order STANDARD_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE",
    ]


WARNING_CASES = [
    pytest.param(
        lake(zones=[zone(transitions=transitions((30, "STANDARD_IA"), (90, "GLACIER_IR")), expirationDays=120)]),
        [f"{W0}.expirationDays: objects moved to GLACIER_IR at day 90 are billed for at least 90 days there; "
         "expiring them at day 120 is charged as if kept until day 180"],
        id="expiration-within-minimum-storage",
    ),
    pytest.param(
        lake(zones=[zone(expirationDays=120)]),
        [f"{W0}.expirationDays: objects moved to GLACIER_IR at day 90 (a default transition) are billed for at "
         "least 90 days there; expiring them at day 120 is charged as if kept until day 180"],
        id="expiration-within-minimum-storage-of-default",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((0, "GLACIER_IR"), (60, "GLACIER")))]),
        [f"{W0}.transitions[1].days: objects moved to GLACIER_IR at day 0 are billed for at least 90 days there; "
         "moving them to GLACIER at day 60 is charged as if kept until day 90"],
        id="transition-within-minimum-storage",
    ),
    pytest.param(
        lake(zones=[zone(noncurrentVersions={"transitions": transitions((30, "GLACIER_IR"))})]),
        [f"{W0}.noncurrentVersions.expirationDays: noncurrent versions moved to GLACIER_IR at day 30 are billed "
         "for at least 90 days there; expiring them at day 90 (the default) is charged as if kept until day 120"],
        id="default-noncurrent-expiration-within-minimum-storage",
    ),
    pytest.param(
        lake(logs={"lifecycle": {"transitions": transitions((0, "DEEP_ARCHIVE")), "expirationDays": 90}}),
        [f"{W}logs.lifecycle.expirationDays: objects moved to DEEP_ARCHIVE at day 0 are billed for at least "
         "180 days there; expiring them at day 90 is charged as if kept until day 180"],
        id="logs-deep-archive",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((30, "STANDARD_IA"), (90, "GLACIER_IR")), expirationDays=180)]),
        [],
        id="expiration-exactly-at-minimum-storage",
    ),
    pytest.param(
        lake(zones=[zone(transitions=transitions((0, "GLACIER_IR"), (90, "GLACIER")))]),
        [],
        id="transition-exactly-at-minimum-storage",
    ),
    pytest.param(lake(), [], id="defaults"),
]


@pytest.mark.parametrize(("values", "expected"), WARNING_CASES)
def test_costly_lifecycle_is_a_warning(values, expected):
    assert warning_lines(values) == expected


def test_warnings_of_several_lifecycles_come_in_path_order():
    late_expiry = {"transitions": transitions((0, "GLACIER_IR")), "expirationDays": 30}
    values = lake(
        zones=[zone(f"z{i}") for i in range(10)] + [zone("z10", **late_expiry)],
        logs={"lifecycle": late_expiry},
    )
    values["datalake:zones"][2] = zone("z2", **late_expiry)
    charge = "objects moved to GLACIER_IR at day 0 are billed for at least 90 days there; expiring them at day 30 " \
             "is charged as if kept until day 90"
    assert warning_lines(values) == [
        f"{W}logs.lifecycle.expirationDays: {charge}",
        f"{W}zones[2].lifecycle.expirationDays: {charge}",
        f"{W}zones[10].lifecycle.expirationDays: {charge}",
    ]
