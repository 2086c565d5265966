"""datalake:consumers and datalake:trustedAccounts: who may use the lake; exact messages for every mistake."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.settings import ACCESS_LEVELS, CONSUMER_SERVICES, ConsumerSettings, GrantSettings
from lake.cli import main
from lake.config import load_settings
from lake.config.consumers import RESERVED_CONSUMER_NAMES
from lake.config.schema import namespace_schema
from policies.access.question import ALIASES
from tests.config.helpers import SOURCE, STACK, error_lines, lake, warning_lines
from tests.support import REPO

P = "Pulumi.dev.yaml: datalake:consumers"
OWN, OTHER, STRANGER = "123456789012", "345678901234", "555555555555"
ANALYST = f"arn:aws:iam::{OWN}:role/Analyst"
PARTNER = f"arn:aws:iam::{OTHER}:role/Research"
ADMIN = f"arn:aws:iam::{OWN}:role/LakeAdmin"
DEPLOYER = f"arn:aws:iam::{OWN}:role/PlatformDeployer"
ZONES = "'raw', 'processed', 'curated'"
SERVICES = "'sagemaker', 'glue', 'ec2', 'lambda', 'ecs-tasks', 'batch', 'emr-serverless'"
PREFIX_RULE = (
    "a key prefix ending with '/', without a leading '/' and without control characters, '*' or '?' "
    "(prefixes are literal, not wildcards), e.g. 'features/'"
)
IDENTITY_CHOICE = (
    "principal (an existing IAM role or user) or service (a role the lake creates for that service)"
)


def grant(zone: str = "raw", access: str = "read", *prefixes: str) -> dict[str, Any]:
    return {"zone": zone, "access": access, **({"prefixes": list(prefixes)} if prefixes else {})}


def consumer(name: str = "training", *grants: dict[str, Any], **keys: Any) -> dict[str, Any]:
    """A consumer entry, a sagemaker one reading raw unless told otherwise."""
    identity = {} if {"principal", "service"} & set(keys) else {"service": "sagemaker"}
    return {"name": name, **identity, **keys, "grants": list(grants) or [grant()]}


def config(*consumers: dict[str, Any], accounts: tuple[str, ...] | None = (OWN,), **keys: Any) -> dict[str, Any]:
    """The lake ``ml`` of ``accounts`` (aws:allowedAccountIds; None: unset), trusting OTHER, with ``consumers``."""
    values = lake(consumers=list(consumers), **{"trustedAccounts": [OTHER], **keys})
    return values if accounts is None else {**values, "aws:allowedAccountIds": list(accounts)}


def partner(*grants: dict[str, Any], **keys: Any) -> dict[str, Any]:
    """The consumer of the trusted account OTHER, valid with the perimeter on or off."""
    return consumer("partner", *grants, **{"principal": PARTNER, "requireEndpoint": False, **keys})


SCHEMA_CASES = [
    pytest.param(lake(consumers={"training": {}}), [f"{P}: expected a list, got a mapping"], id="not-a-list"),
    pytest.param(
        config({"service": "glue"}),
        [f"{P}[0].grants: required key is missing", f"{P}[0].name: required key is missing"],
        id="required-keys",
    ),
    pytest.param(
        config(consumer("Training")),
        [f"{P}[0].name: expected lowercase letters, digits and '-', starting with a letter or digit, "
         "got string 'Training'"],
        id="name-pattern",
    ),
    pytest.param(
        config(consumer(service="sagemker")),
        [f"{P}[0].service: expected one of {SERVICES}, got string 'sagemker' (did you mean 'sagemaker'?)"],
        id="unknown-service",
    ),
    pytest.param(
        config(consumer(principal=f"arn:aws:sts::{OWN}:assumed-role/Analyst/session")),
        [f"{P}[0].principal: expected an IAM ARN of a role or a user, e.g. 'arn:aws:iam::123456789012:role/Analyst', "
         f"got string 'arn:aws:sts::{OWN}:assumed-role/Analyst/session'"],
        id="principal-session",
    ),
    pytest.param(
        config(consumer(principal=f"arn:aws:iam::{OTHER}:root")),
        [f"{P}[0].principal: expected an IAM ARN of a role or a user, e.g. 'arn:aws:iam::123456789012:role/Analyst', "
         f"got string 'arn:aws:iam::{OTHER}:root'"],
        id="principal-root",
    ),
    pytest.param(
        config({"name": "training", "service": "glue", "grants": []}),
        [f"{P}[0].grants: expected at least 1 item, got an empty list"],
        id="no-grants",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "admin"))),
        [f"{P}[0].grants[0].access: expected one of 'read', 'write', 'delete', 'query', got string 'admin'"],
        id="unknown-access",
    ),
    pytest.param(
        config(consumer("training", {"zone": "raw"})),
        [f"{P}[0].grants[0].access: required key is missing"],
        id="grant-without-access",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "features"))),
        [f"{P}[0].grants[0].prefixes[0]: expected {PREFIX_RULE}, got string 'features'"],
        id="prefix-without-trailing-slash",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "/features/"))),
        [f"{P}[0].grants[0].prefixes[0]: expected {PREFIX_RULE}, got string '/features/'"],
        id="prefix-leading-slash",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "features/*/"))),
        [f"{P}[0].grants[0].prefixes[0]: expected {PREFIX_RULE}, got string 'features/*/'"],
        id="prefix-wildcard",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "features\t/"))),
        [f"{P}[0].grants[0].prefixes[0]: expected {PREFIX_RULE}, got string 'features\\t/'"],
        id="prefix-control-character",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "a/", "b/", "a/"))),
        [f"{P}[0].grants[0].prefixes[2]: 'a/' is already listed at [0]"],
        id="duplicate-prefix",
    ),
    pytest.param(
        config(consumer("training", {**grant(), "prefixes": []})),
        [f"{P}[0].grants[0].prefixes: expected at least 1 item, got an empty list"],
        id="empty-prefixes",
    ),
    pytest.param(
        config(consumer(requireVpce=True)),
        [f"{P}[0].requireVpce: unknown key 'requireVpce' (did you mean 'requireEndpoint'?)"],
        id="unknown-key",
    ),
    pytest.param(
        config(consumer(principal=ANALYST, attach="yes")),
        [f"{P}[0].attach: expected a boolean (true or false), got string 'yes'"],
        id="attach-type",
    ),
    pytest.param(
        config(trustedAccounts=["34567890123"]),
        ["Pulumi.dev.yaml: datalake:trustedAccounts[0]: expected a 12-digit account id, e.g. '345678901234', "
         "got string '34567890123'"],
        id="trusted-account-pattern",
    ),
    pytest.param(
        config(trustedAccounts=[OTHER, OTHER]),
        [f"Pulumi.dev.yaml: datalake:trustedAccounts[1]: '{OTHER}' is already listed at [0]"],
        id="trusted-account-twice",
    ),
]

GRANT_CASES = [
    pytest.param(
        config(consumer("training", grant("curatd"))),
        [f"{P}[0].grants[0].zone: expected one of the zones {ZONES}, got string 'curatd' (did you mean 'curated'?)"],
        id="unknown-zone",
    ),
    pytest.param(
        config(consumer("training", grant("logs"))),
        [f"{P}[0].grants[0].zone: expected one of the zones {ZONES}, got string 'logs'"],
        id="logs-bucket-is-no-zone",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "a/", "b/", "a/b/"))),
        [f"{P}[0].grants[0].prefixes[2]: 'a/b/' overlaps 'a/' (prefixes[0]): one contains the other"],
        id="prefix-inside-earlier",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "a/b/", "a/"))),
        [f"{P}[0].grants[0].prefixes[1]: 'a/' overlaps 'a/b/' (prefixes[0]): one contains the other"],
        id="prefix-around-earlier",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "write"), grant("raw", "write", "features/"))),
        [f"{P}[0].grants[1]: repeats write access to zone 'raw' of grants[0]: grants[0] already gives it on the "
         "whole zone"],
        id="prefixed-after-whole-zone",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "write", "features/"), grant("raw", "write"))),
        [f"{P}[0].grants[1]: repeats write access to zone 'raw' of grants[0]: this grant covers the whole zone, "
         "prefixes of grants[0] included"],
        id="whole-zone-after-prefixed",
    ),
    pytest.param(
        config(consumer("training", grant("raw", "read", "a/"), grant("curated"), grant("raw", "read", "b/"))),
        [f"{P}[0].grants[2]: repeats read access to zone 'raw' of grants[0]: list all its prefixes in grants[0]"],
        id="repeated-prefixed-grant",
    ),
    pytest.param(
        config(consumer("training", grant(), grant())),
        [f"{P}[0].grants[1]: repeats read access to zone 'raw' of grants[0]: grants[0] already gives it on the "
         "whole zone"],
        id="identical-grant",
    ),
]

NAME_CASES = [
    pytest.param(
        config(consumer("training"), consumer("bi", principal=ANALYST), consumer("training", service="glue")),
        [f"{P}[2].name: consumer 'training' is already declared at consumers[0]"],
        id="duplicate-name",
    ),
    pytest.param(
        config(consumer("reader")),
        [f"{P}[0].name: 'reader' is reserved: `lake access` names its representative principals "
         "administrator, deployer, reader, external, anonymous"],
        id="reserved-name",
    ),
    pytest.param(
        config(consumer("y" * 31), name="x" * 20),
        [f"{P}[0].name: consumer role name '{'x' * 20}-dev-consumer-{'y' * 31}' is 65 characters long; "
         "IAM allows at most 64"],
        id="role-name-too-long",
    ),
    pytest.param(
        config(consumer("y" * 98, principal=ANALYST), name="x" * 17),
        [f"{P}[0].name: consumer policy name '{'x' * 17}-dev-consumer-{'y' * 98}' is 129 characters long; "
         "IAM allows at most 128"],
        id="policy-name-too-long",
    ),
]

IDENTITY_CASES = [
    pytest.param(
        config({"name": "training", "grants": [grant()]}),
        [f"{P}[0]: has no identity: set either {IDENTITY_CHOICE}"],
        id="no-identity",
    ),
    pytest.param(
        config(consumer(principal=ANALYST, service="glue")),
        [f"{P}[0]: has both principal and service: a consumer has one identity, {IDENTITY_CHOICE}"],
        id="two-identities",
    ),
    pytest.param(
        config(consumer("bi", principal=ANALYST), consumer("bi-2", principal=ANALYST)),
        [f"{P}[1].principal: an identity given twice: consumers[0] has the same principal; give it one consumer "
         "with all its grants"],
        id="same-principal-twice",
    ),
    pytest.param(
        config(consumer("bi", principal=ANALYST), consumer("bi-2", principal=f"arn:aws:iam::{OWN}:role/team/analyst")),
        [f"{P}[1].principal: an identity given twice: consumers[0] has the same principal; give it one consumer "
         "with all its grants"],
        id="same-role-other-path-and-case",
    ),
    pytest.param(
        config(consumer(principal=ADMIN), administrators=[DEPLOYER, ADMIN]),
        [f"{P}[0].principal: an identity given twice: datalake:administrators[1] names it, with full access to "
         "the lake already; it cannot also be a consumer"],
        id="principal-is-administrator",
    ),
    pytest.param(
        config(consumer(principal=DEPLOYER), deployer=DEPLOYER),
        [f"{P}[0].principal: an identity given twice: datalake:deployer names it, with full access to the lake "
         "already; it cannot also be a consumer"],
        id="principal-is-deployer",
    ),
    pytest.param(
        config(consumer(attach=True)),
        [f"{P}[0].attach: is only for a principal of the lake's account: the role the lake creates for a service "
         "always has its policy attached"],
        id="attach-with-service",
    ),
    pytest.param(
        config(partner(attach=True)),
        [f"{P}[0].attach: the lake cannot attach policies in another account ({OTHER}): that account attaches the "
         "exported identity policy"],
        id="attach-in-other-account",
    ),
]

ACCOUNT_CASES = [
    pytest.param(
        config(consumer(principal=f"arn:aws:iam::{STRANGER}:role/Research", attach=True)),
        [f"{P}[0].principal: belongs to account {STRANGER}, which is neither the lake's (aws:allowedAccountIds: "
         f"{OWN}) nor in datalake:trustedAccounts; add '{STRANGER}' to datalake:trustedAccounts to share the lake "
         "with it"],
        id="untrusted-account",
    ),
    pytest.param(
        config(consumer(principal=ANALYST), accounts=None, trustedAccounts=[]),
        [f"{P}[0].principal: belongs to account {OWN}, which is neither the lake's (aws:allowedAccountIds: unset) "
         f"nor in datalake:trustedAccounts; add '{OWN}' to datalake:trustedAccounts to share the lake with it"],
        id="lake-account-unknown",
    ),
    pytest.param(
        config(partner(principal=f"arn:aws:iam::{OTHER}:user/alice")),
        [f"{P}[0].principal: is a user of another account ({OTHER}); only roles of other accounts can be "
         "consumers: name a role its users assume"],
        id="user-of-other-account",
    ),
    pytest.param(
        config(partner(grant("curated", "read"), grant("curated", "query"))),
        [f"{P}[0].grants[1].access: query is not possible for a consumer of another account ({OTHER}): Athena "
         "and the Glue catalog are the lake account's"],
        id="query-from-other-account",
    ),
    pytest.param(
        config(consumer("partner", principal=PARTNER), perimeter=True),
        [f"{P}[0].requireEndpoint: is unset and the perimeter is on, but a consumer of another account ({OTHER}) "
         "cannot use the lake's VPC endpoint; set requireEndpoint: false"],
        id="other-account-behind-perimeter",
    ),
    pytest.param(
        config(partner(requireEndpoint=True)),
        [f"{P}[0].requireEndpoint: is true, but a consumer of another account ({OTHER}) cannot use the lake's VPC "
         "endpoint; set requireEndpoint: false"],
        id="other-account-required-endpoint",
    ),
    pytest.param(
        config(trustedAccounts=[OTHER, OWN]),
        [f"Pulumi.dev.yaml: datalake:trustedAccounts[1]: '{OWN}' is the lake's own account (aws:allowedAccountIds): "
         "its principals can be consumers without being trusted; remove it"],
        id="trusting-own-account",
    ),
]


@pytest.mark.parametrize(
    ("values", "expected"), SCHEMA_CASES + GRANT_CASES + NAME_CASES + IDENTITY_CASES + ACCOUNT_CASES
)
def test_bad_consumer_is_reported_exactly(values, expected):
    assert error_lines(values) == expected


def test_every_mistake_of_one_consumer_is_reported_at_once():
    bad = consumer("reader", grant("curatd"), grant("curated", "query"), principal=f"arn:aws:iam::{OTHER}:user/bob",
                   attach=True)
    assert error_lines(config(bad, perimeter=True)) == [
        f"{P}[0].attach: the lake cannot attach policies in another account ({OTHER}): that account attaches the "
        "exported identity policy",
        f"{P}[0].grants[0].zone: expected one of the zones {ZONES}, got string 'curatd' (did you mean 'curated'?)",
        f"{P}[0].grants[1].access: query is not possible for a consumer of another account ({OTHER}): Athena "
        "and the Glue catalog are the lake account's",
        f"{P}[0].name: 'reader' is reserved: `lake access` names its representative principals "
        "administrator, deployer, reader, external, anonymous",
        f"{P}[0].principal: is a user of another account ({OTHER}); only roles of other accounts can be "
        "consumers: name a role its users assume",
        f"{P}[0].requireEndpoint: is unset and the perimeter is on, but a consumer of another account ({OTHER}) "
        "cannot use the lake's VPC endpoint; set requireEndpoint: false",
    ]


GOOD = config(
    consumer("training", grant("curated"), grant("processed", "write", "features/", "labels/")),
    consumer("analysts", grant("curated", "query"), principal=ANALYST, attach=True, requireEndpoint=True),
    partner(grant("curated", "read", "features/")),
    consumer("etl", grant("raw", "read"), grant("raw", "delete", "tmp/"), service="glue"),
    administrators=[ADMIN],
    deployer=DEPLOYER,
)


def test_good_consumers_load_to_exact_settings():
    loaded = load_settings(GOOD, STACK, SOURCE)
    assert loaded.settings.consumers == (
        ConsumerSettings(
            "training",
            (GrantSettings("curated", "read"), GrantSettings("processed", "write", ("features/", "labels/"))),
            service="sagemaker",
        ),
        ConsumerSettings("analysts", (GrantSettings("curated", "query"),), principal=ANALYST, attach=True,
                         require_endpoint=True),
        ConsumerSettings("partner", (GrantSettings("curated", "read", ("features/",)),), principal=PARTNER,
                         require_endpoint=False),
        ConsumerSettings("etl", (GrantSettings("raw", "read"), GrantSettings("raw", "delete", ("tmp/",))),
                         service="glue"),
    )
    assert loaded.settings.trusted_accounts == (OTHER,)
    assert loaded.warnings == []


def test_without_consumers_nothing_is_trusted():
    settings = load_settings(lake(), STACK, SOURCE).settings
    assert (settings.consumers, settings.trusted_accounts) == ((), ())


def test_a_consumer_off_the_endpoint_behind_the_perimeter_is_a_warning():
    values = config(partner(), consumer("bi", principal=ANALYST, requireEndpoint=False), perimeter=True)
    assert warning_lines(values) == [
        f"datalake:consumers[{index}].requireEndpoint: is false while the perimeter is on: consumer '{name}' is "
        "exempt from the perimeter, its requests need not come through the lake's endpoint"
        for index, name in enumerate(["partner", "bi"])
    ]


def test_production_turns_the_perimeter_on_for_consumers():
    values = config(partner(), production=True, administrators=[ADMIN])
    assert warning_lines(values) == [
        "datalake:consumers[0].requireEndpoint: is false while the perimeter is on: consumer 'partner' is exempt "
        "from the perimeter, its requests need not come through the lake's endpoint"
    ]
    settings = load_settings(values, STACK, SOURCE).settings
    assert settings.requires_endpoint(settings.consumers[0]) is False


def test_the_same_role_name_in_two_accounts_is_two_identities():
    values = config(consumer("bi", principal=ANALYST), partner(principal=f"arn:aws:iam::{OTHER}:role/Analyst"))
    assert [c.principal for c in load_settings(values, STACK, SOURCE).settings.consumers] == [
        ANALYST, f"arn:aws:iam::{OTHER}:role/Analyst"
    ]


def test_reserved_names_are_the_access_aliases():
    assert RESERVED_CONSUMER_NAMES == tuple(ALIASES)


def test_schema_choices_are_the_settings_constants():
    item = namespace_schema()["properties"]["consumers"]["items"]
    assert tuple(item["properties"]["service"]["enum"]) == tuple(CONSUMER_SERVICES)
    assert tuple(item["properties"]["grants"]["items"]["properties"]["access"]["enum"]) == ACCESS_LEVELS


def test_documented_consumer_defaults_are_the_dataclass_defaults():
    item = namespace_schema()["properties"]["consumers"]["items"]["properties"]
    defaults = {key: prop["default"] for key, prop in item.items() if "default" in prop}
    assert defaults == {"service": None, "principal": None, "attach": False, "requireEndpoint": None}
    assert ConsumerSettings("x", ()) == ConsumerSettings("x", (), principal=None, service=None, attach=False,
                                                          require_endpoint=None)
    assert item["grants"]["items"]["properties"]["prefixes"]["default"] is None  # unset: the whole zone
    assert GrantSettings("raw", "read").prefixes == ()


def test_plan_of_a_bad_config_file_exits_2_with_the_line(capsys, tmp_path):
    values = {"aws:region": "us-east-1", **config(consumer("training", grant("curatd")))}
    config_file = tmp_path / "Pulumi.dev.yaml"
    config_file.write_text(yaml.safe_dump({"config": values}))
    code = main(["plan", "--project-dir", str(REPO), "--config-file", str(config_file)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"error: Pulumi.dev.yaml: datalake:consumers[0].grants[0].zone: expected one of the zones {ZONES}, "
        "got string 'curatd' (did you mean 'curated'?)"
    ]
