"""Lakes in several accounts of one moto server, made through assumed roles, for the tests of an
organisation-wide audit.

moto lets any caller assume any role ARN, existing or not, in any account id, and the credentials
it returns act in that account: what they create lands there. So each test account's lake is the
dev plan applied with an assumed role's credentials, its bucket names and account id rewritten
(bucket names are global, in moto as in AWS).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config

import lake.sandbox.apply as apply_module
from lake.sandbox.server import drop_account_host, sandbox_environment
from tests.live.support import REGION

PLAN_ACCOUNT = "123456789012"  # the account the dev plan mocks, and moto's default one
ROLE = "LakeAudit"
BPA = dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True)


def caller_session(region: str = REGION) -> boto3.Session:
    env = sandbox_environment(region)
    return boto3.Session(aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                         aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"], region_name=region)


def assumed(endpoint_url: str, account: str, region: str = REGION) -> boto3.Session:
    """A session acting in ``account`` (moto: any role can be assumed, existing or not)."""
    answer = caller_session(region).client("sts", endpoint_url=endpoint_url).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="test-setup")["Credentials"]
    return boto3.Session(aws_access_key_id=answer["AccessKeyId"], aws_secret_access_key=answer["SecretAccessKey"],
                         aws_session_token=answer["SessionToken"], region_name=region)


def clients_of(session: boto3.Session) -> Callable[..., Any]:
    """``lake.sandbox.server.client``'s signature, with ``session``'s credentials."""

    def client(service: str, endpoint_url: str, region: str = REGION, verify: Any = None) -> Any:
        made = session.client(service, endpoint_url=endpoint_url, region_name=region,
                              config=Config(s3={"addressing_style": "path"}))
        if service == "s3control":
            made.meta.events.register("before-sign.s3-control", drop_account_host)
        return made

    return client


def lake_name(account: str) -> str:
    return f"team{account[-3:]}"


def renamed_plan(document: dict[str, Any], account: str) -> dict[str, Any]:
    """The dev plan as if planned for ``account``, its resources named ``team<NNN>-dev-*``."""
    text = json.dumps(document).replace("mlteam-dev", f"{lake_name(account)}-dev").replace(PLAN_ACCOUNT, account)
    return json.loads(text)


def deploy_in(document: dict[str, Any], endpoint_url: str, account: str, monkeypatch: Any) -> None:
    """The dev lake, applied in ``account`` through an assumed role, with the account's Block
    Public Access on (the baseline the plan does not manage, S3.1)."""
    session = assumed(endpoint_url, account)
    with monkeypatch.context() as patch:
        patch.setattr(apply_module, "client", clients_of(session))
        apply_module.apply_plan(renamed_plan(document, account), endpoint_url)
    clients_of(session)("s3control", endpoint_url).put_public_access_block(
        AccountId=account, PublicAccessBlockConfiguration=BPA)


def refused(handler_of: Callable[[dict[str, Any]], bool], code: str, message: str, status: int = 403):
    """A botocore ``before-call`` hook answering ``code`` to the calls ``handler_of`` picks."""

    def handler(params: dict[str, Any], context: dict[str, Any], **_: Any):
        if handler_of({**params, "context": context}):
            return AWSResponse(params.get("url", ""), status, {}, None), {"Error": {"Code": code, "Message": message}}
        return None

    return handler


@contextmanager
def fake_credentials(monkeypatch: Any) -> Iterator[None]:
    for name, value in sandbox_environment(REGION).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    yield
