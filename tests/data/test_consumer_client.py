"""The data client as a consumer of the lake (datalake:consumers): it works within its grants, and
a refusal its declared grants explain names the grant it lacks, from the API and from `lake data`.

The dev lake runs in moto behind the sandbox's gate (tests/data/conftest.py), which judges
assumed roles by their identity policies and the lake key's policy (tests/live/test_gate_identity.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.settings import GrantSettings
from lake.cli import main
from lake.data import LakeClient, UploadOptions
from lake.data.consumers import Consumer, Grant, ZoneConsumers, consumers_of
from lake.data.errors import AccessDeniedError
from lake.sandbox.server import client as sandbox_client
from tests.data.support import DataLake
from tests.live.consumer_roles import REGION, assumed_session, create_consumer, grant_output, identity_policy

CURATED = "mlteam-dev-curated"
PROCESSED = "mlteam-dev-processed"
SHARED = "shared/labels.csv"
MiB = 1024 * 1024
# Not "training": the dev plan applied here creates that consumer's role and policy itself.
TUNING = (GrantSettings("curated", "read"), GrantSettings("processed", "write", ("features/",)))
TUNING_GRANTS = "read on curated; write on processed under features/"
SESSION = "arn:aws:sts::123456789012:assumed-role/mlteam-dev-consumer-tuning/tuning"


def consumer_output(arn: str, grants: tuple[GrantSettings, ...], policy: dict[str, Any]) -> dict[str, Any]:
    """One entry of the stack outputs' ``consumers``, in the shape ``__main__.py`` exports."""
    name = arn.rpartition("/")[2]
    return {"kind": "service", "principalArn": arn, "service": "sagemaker", "roleName": name, "policyName": name,
            "policyArn": arn.replace(":role/", ":policy/"), "identityPolicy": json.dumps(policy),
            "grants": [grant_output(g) for g in grants], "requireEndpoint": False}


@pytest.fixture(scope="module")
def consumers(lake: DataLake) -> dict[str, Any]:
    """The stack outputs with two consumers, and a session per consumer (its assumed role's)."""
    iam = sandbox_client("iam", lake.https_url, verify=lake.ca_bundle)
    sts = sandbox_client("sts", lake.https_url, verify=lake.ca_bundle)
    sandbox_client("s3", lake.https_url, verify=lake.ca_bundle).put_object(
        Bucket=CURATED, Key=SHARED, Body=b"image,label\n", ServerSideEncryption="aws:kms", SSEKMSKeyId=lake.key_arn)
    declared = {"tuning": (TUNING, True), "keyless": ((GrantSettings("curated", "read"),), False)}
    outputs: dict[str, Any] = {"zoneBuckets": {"curated": {"name": CURATED}, "processed": {"name": PROCESSED}},
                               "keyArn": lake.key_arn, "consumers": {}}
    sessions = {}
    for name, (grants, with_kms) in declared.items():
        policy = identity_policy(grants, lake.key_arn, with_kms)
        arn = create_consumer(iam, name, policy)
        outputs["consumers"][name] = consumer_output(arn, grants, policy)
        sessions[name] = assumed_session(sts, arn, name)
    return {"outputs": outputs, "sessions": sessions}


def consumer_client(lake: DataLake, consumers: dict[str, Any], name: str, zone: str, secure: bool = True,
                    session: boto3.Session | None = None) -> LakeClient:
    return LakeClient.from_stack_outputs(consumers["outputs"], zone, region=REGION,
                                         endpoint_url=lake.https_url if secure else lake.http_url,
                                         verify=lake.ca_bundle, session=session or consumers["sessions"][name])


def fresh_session(consumers: dict[str, Any], name: str) -> boto3.Session:
    """A new session with the consumer's credentials, for a test's own event hooks."""
    issued = consumers["sessions"][name].get_credentials()
    return boto3.Session(aws_access_key_id=issued.access_key, aws_secret_access_key=issued.secret_key,
                         aws_session_token=issued.token, region_name=REGION)


def denial(call: Any) -> str:
    with pytest.raises(AccessDeniedError) as raised:
        call()
    return str(raised.value)


def test_a_consumer_reads_and_downloads_its_zone(lake: DataLake, consumers: dict[str, Any], tmp_path: Path):
    curated = consumer_client(lake, consumers, "tuning", "curated")
    assert curated.read_bytes(SHARED) == b"image,label\n"
    report = curated.download("shared/", tmp_path)
    assert (report.downloaded, (tmp_path / "labels.csv").read_bytes()) == (1, b"image,label\n")


def test_a_write_without_a_write_grant_names_the_grant_to_add(lake: DataLake, consumers: dict[str, Any],
                                                               tmp_path: Path):
    (tmp_path / "x.parquet").write_bytes(b"x")
    curated = consumer_client(lake, consumers, "tuning", "curated")
    assert denial(lambda: curated.upload("x.parquet", tmp_path / "x.parquet")) == (
        f"PutObject s3://{CURATED}/x.parquet: access denied (User: {SESSION} is not authorized to perform: "
        f"s3:PutObject on resource: \"arn:aws:s3:::{CURATED}/x.parquet\" because no identity-based policy allows "
        "the s3:PutObject action)\n"
        f"hint: consumer 'tuning' has no write grant on zone 'curated' (its grants: {TUNING_GRANTS}): "
        "add {zone: curated, access: write} to its grants in datalake:consumers")


def test_a_write_outside_the_granted_prefixes_names_them(lake: DataLake, consumers: dict[str, Any], tmp_path: Path):
    (tmp_path / "a.bin").write_bytes(b"a")
    processed = consumer_client(lake, consumers, "tuning", "processed")
    assert denial(lambda: processed.upload("images/a.bin", tmp_path / "a.bin")).split("\n")[1] == (
        f"hint: consumer 'tuning' has a write grant on zone 'processed' only under features/, not on images/a.bin "
        f"(its grants: {TUNING_GRANTS}): add a prefix of it to that grant's prefixes in datalake:consumers")


def test_the_caller_is_asked_once_per_client_and_only_on_a_denial(lake: DataLake, consumers: dict[str, Any]):
    session = fresh_session(consumers, "tuning")
    asked: list[str] = []
    session.events.register("before-send.sts.GetCallerIdentity", lambda **kwargs: asked.append("asked"))
    curated = consumer_client(lake, consumers, "tuning", "curated", session=session)
    curated.read_bytes(SHARED)
    assert asked == []
    for _ in range(2):
        assert denial(lambda: curated.delete(SHARED)).endswith(
            "hint: consumer 'tuning' has no delete grant on zone 'curated' (its grants: read on curated; write on "
            "processed under features/): add {zone: curated, access: delete} to its grants in datalake:consumers")
    assert asked == ["asked"]


def test_a_writer_uploads_in_parts_with_the_lake_key(lake: DataLake, consumers: dict[str, Any], tmp_path: Path):
    big = tmp_path / "week1.bin"
    big.write_bytes(b"f" * (5 * MiB) + b"tail")
    session = fresh_session(consumers, "tuning")
    parts: list[str] = []
    session.events.register("before-send.s3.UploadPart", lambda **kwargs: parts.append("part"))
    processed = consumer_client(lake, consumers, "tuning", "processed", session=session)
    options = UploadOptions(multipart_threshold=5 * MiB, part_size=5 * MiB)
    assert [u.size for u in processed.upload("features/", big, options)] == [5 * MiB + 4]
    assert parts == ["part", "part"]
    # The consumer may not read processed: its write is checked with the sandbox's own client.
    head = sandbox_client("s3", lake.https_url, verify=lake.ca_bundle).head_object(
        Bucket=PROCESSED, Key="features/week1.bin")
    assert (head["ContentLength"], head["SSEKMSKeyId"]) == (5 * MiB + 4, lake.key_arn)


def test_a_refusal_the_grants_cover_keeps_the_bucket_policy_diagnosis(lake: DataLake, consumers: dict[str, Any]):
    insecure = consumer_client(lake, consumers, "tuning", "curated", secure=False)
    assert denial(lambda: insecure.read_bytes(SHARED)).split("\n")[1] == (
        "hint: the lake refuses requests without TLS (DenyInsecureTransport): use an https:// endpoint URL")
    # Declared read, but the role's policy lacks the key statement: the grants cover it, KMS refuses.
    keyless = consumer_client(lake, consumers, "keyless", "curated")
    assert denial(lambda: keyless.read_bytes(SHARED)).split("\n")[1].startswith(
        "hint: no statement of the bucket policy denies this request as the client sees it")


def test_lake_data_put_exits_1_with_the_missing_grant(lake: DataLake, consumers: dict[str, Any], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]):
    issued = consumers["sessions"]["tuning"].get_credentials()
    for name, value in {"AWS_ACCESS_KEY_ID": issued.access_key, "AWS_SECRET_ACCESS_KEY": issued.secret_key,
                        "AWS_SESSION_TOKEN": issued.token, "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(consumers["outputs"]))
    (tmp_path / "x.parquet").write_bytes(b"x")
    code = main(["data", "put", str(tmp_path / "x.parquet"), "x.parquet", "--stack-outputs", str(outputs),
                 "--zone", "curated", "--endpoint-url", lake.https_url, "--ca-bundle", lake.ca_bundle])
    assert code == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"hint: consumer 'tuning' has no write grant on zone 'curated' (its grants: {TUNING_GRANTS}): "
        "add {zone: curated, access: write} to its grants in datalake:consumers")


# --- the grants, without a lake ------------------------------------------------------------------

ANALYST = "arn:aws:iam::123456789012:role/Analyst"
PARTNER = Consumer("partner", ANALYST, (Grant("curated", "read", ("features/", "labels/")), Grant("raw", "query")))


@pytest.mark.parametrize(("zone", "action", "key", "expected"), [
    ("curated", "s3:GetObject", "features/a", None),
    ("curated", "s3:ListBucket", None, None),  # a listing's prefix is not known: any read grant covers it
    ("curated", "s3:GetObject", "images/a",
     "consumer 'partner' has a read grant on zone 'curated' only under features/, labels/, not on images/a "
     "(its grants: read on curated under features/, labels/; query on raw): add a prefix of it to that grant's "
     "prefixes in datalake:consumers"),
    ("raw", "s3:GetObject", "a",  # query reads only through Athena
     "consumer 'partner' has no read grant on zone 'raw' (its grants: read on curated under features/, labels/; "
     "query on raw): add {zone: raw, access: read} to its grants in datalake:consumers"),
    ("curated", "s3:DeleteObjectVersion", "features/a",
     "consumer 'partner' cannot be granted s3:DeleteObjectVersion: no consumer access level includes it "
     "(its grants: read on curated under features/, labels/; query on raw); ask the lake's administrators"),
])
def test_the_missing_grant_of_a_consumer(zone: str, action: str, key: str | None, expected: str | None):
    assert PARTNER.missing_grant(zone, action, key) == expected


def test_only_a_declared_consumer_gets_a_grant_hint():
    zone = ZoneConsumers("raw", (PARTNER,))
    assert zone.hint("arn:aws:iam::123456789012:role/Other", "s3:PutObject", "a") is None
    assert zone.hint(None, "s3:PutObject", "a") is None
    assert zone.hint(ANALYST, "s3:PutObject", "a") == (
        "consumer 'partner' has no write grant on zone 'raw' (its grants: read on curated under features/, labels/; "
        "query on raw): add {zone: raw, access: write} to its grants in datalake:consumers")
    assert Consumer("idle", ANALYST, ()).missing_grant("raw", "s3:GetObject", "a") == (
        "consumer 'idle' has no read grant on zone 'raw' (its grants: none): add {zone: raw, access: read} to its "
        "grants in datalake:consumers")


def test_consumers_are_read_from_the_outputs_and_odd_entries_left_out():
    outputs = {"consumers": {
        "training": {"principalArn": ANALYST, "grants": [{"zone": "raw", "access": "read", "prefixes": ["a/"]},
                                                          {"zone": "raw"}, "odd"]},
        "unknown": {"principalArn": None, "grants": []},
        "bare": {"principalArn": ANALYST},
    }}
    assert consumers_of(outputs) == (Consumer("bare", ANALYST, ()),
                                     Consumer("training", ANALYST, (Grant("raw", "read", ("a/",)),)))
    assert consumers_of({}) == consumers_of({"consumers": ["not", "a", "mapping"]}) == ()
