"""The sandbox lake as ``lake://`` sees it: its stack outputs, the options pandas, pyarrow and Dask
pass to ``LakeFileSystem``, and a consumer that may only read the curated zone."""

from __future__ import annotations

from typing import Any

from components.settings import GrantSettings
from lake.sandbox.server import FAKE_CREDENTIALS
from lake.sandbox.server import client as sandbox_client
from tests.data.support import DataLake
from tests.live.consumer_roles import REGION, assumed_session, create_consumer, grant_output, identity_policy

ZONES = ("raw", "processed", "curated")
READER = "notebook"
READER_GRANTS = (GrantSettings("curated", "read"),)
READER_SESSION = f"arn:aws:sts::123456789012:assumed-role/mlteam-dev-consumer-{READER}/{READER}"


def stack_outputs(lake: DataLake, consumers: dict[str, Any] | None = None) -> dict[str, Any]:
    """`pulumi stack output --json` of the dev lake, as far as ``lake://`` reads it."""
    buckets = {zone: {"name": f"mlteam-dev-{zone}", "arn": f"arn:aws:s3:::mlteam-dev-{zone}"} for zone in ZONES}
    return {"zoneBuckets": buckets, "keyArn": lake.key_arn, "consumers": consumers or {}}


def storage_options(lake: DataLake, outputs: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """The sandbox's endpoint, CA bundle and fake credentials, passed rather than read from the
    environment, so that a Dask worker process gets them too."""
    return {"stack_outputs": stack_outputs(lake) if outputs is None else outputs, "endpoint_url": lake.https_url,
            "ca_bundle": lake.ca_bundle, "region": REGION, "key": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "secret": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"], **extra}


def reader_options(lake: DataLake) -> dict[str, Any]:
    """Storage options as the consumer READER, whose only grant is reading curated (its role, created
    in the sandbox's IAM as the lake creates it, assumed through the sandbox's STS)."""
    iam = sandbox_client("iam", lake.https_url, verify=lake.ca_bundle)
    sts = sandbox_client("sts", lake.https_url, verify=lake.ca_bundle)
    role = create_consumer(iam, READER, identity_policy(READER_GRANTS, lake.key_arn))
    issued = assumed_session(sts, role, READER).get_credentials()
    declared = {READER: {"principalArn": role, "grants": [grant_output(g) for g in READER_GRANTS]}}
    return storage_options(lake, stack_outputs(lake, declared), key=issued.access_key, secret=issued.secret_key,
                           token=issued.token)


def write_refused(lake_path: str, operation: str = "PutObject") -> str:
    """The reader's refused write to curated, as the data client diagnoses it."""
    key = lake_path.removeprefix("lake://curated/")
    return (f"{operation} s3://mlteam-dev-curated/{key}: access denied (User: {READER_SESSION} is not authorized to "
            f"perform: s3:PutObject on resource: \"arn:aws:s3:::mlteam-dev-curated/{key}\" because no "
            "identity-based policy allows the s3:PutObject action)\n"
            f"hint: consumer '{READER}' has no write grant on zone 'curated' (its grants: read on curated): add "
            "{zone: curated, access: write} to its grants in datalake:consumers")
