"""Shared by the live-audit tests: moto on a random 127.0.0.1 port, the dev lake applied to it,
and an audit of it through the live adapter."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from lake.sandbox.apply import Applied, apply_plan
from lake.sandbox.server import client, sandbox_environment
from policies.adapters.live import LiveRead, Selection, Target, read_lake
from policies.evaluate import evaluate
from policies.rule import Finding, Status

ACCOUNT = "123456789012"
REGION = "us-east-1"
LAKE_TAG = Selection(tag=("lake", "mlteam"))
TRAINING_ROLE = "mlteam-dev-consumer-training"
# The dev lake declares two consumers (Pulumi.dev.yaml). Their grants are config, not account state: a
# live audit without the plan reports LAKE.16 unknown for both, and LAKE.10 and LAKE.14 for the role the
# lake creates for training (policies/purposes.py); against the plan they pass.
GRANTS_UNKNOWN = {
    (rule, resource): f"the grants of consumer {consumer} cannot be known (lake audit --against-plan or --stack-outputs knows them)"
    for rule, resource, consumer in (("LAKE.16", "analysts", "analysts"), ("LAKE.16", "training", "training"),
                                     ("LAKE.10", TRAINING_ROLE, "training"), ("LAKE.14", TRAINING_ROLE, "training"))}
UNKNOWN_WITHOUT_PLAN = {(rule, resource, "unknown") for rule, resource in GRANTS_UNKNOWN}


@contextmanager
def threaded_moto() -> Iterator[str]:
    """moto in this process (fast to start), answering on a random loopback port."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset(endpoint_url: str) -> None:
    # moto's backends are process-wide: start from an empty account whatever ran before.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint_url}/moto-api/reset", method="POST"), timeout=10)


def deploy(document: dict[str, Any], endpoint_url: str) -> Applied:
    """An empty account, then the plan; plus the account baseline the plan does not manage (S3.1)."""
    reset(endpoint_url)
    applied = apply_plan(document, endpoint_url)
    client("s3control", endpoint_url).put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True))
    return applied


def session() -> boto3.Session:
    """A session with the sandbox's fake credentials; tests register botocore event hooks on it."""
    env = sandbox_environment(REGION)
    return boto3.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                         aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=REGION)


@dataclass(frozen=True)
class Audited:
    read: LiveRead
    findings: list[Finding]

    def open(self) -> set[tuple[str, str, str]]:
        """(rule, resource, status) of every failing or unknown finding."""
        return {(f.rule_id, f.resource, f.status.value) for f in self.findings
                if f.status in (Status.FAIL, Status.UNKNOWN)}


def audit(endpoint_url: str, selection: Selection = LAKE_TAG, boto_session: Any = None, **target: Any) -> Audited:
    read = read_lake(Target(region=REGION, endpoint_url=endpoint_url, session=boto_session or session(), **target),
                     selection)
    return Audited(read, evaluate(read.lake))
