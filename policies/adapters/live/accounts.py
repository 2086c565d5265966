"""The accounts of an organisation-wide audit: listed with AWS Organizations, entered with STS.

``organization_accounts`` lists the organisation's ACTIVE accounts (ListAccounts, every page),
the management account included. ``assumed_session`` assumes ``role/NAME`` in one account and
returns a boto3 session whose credentials renew themselves before they expire (botocore's
RefreshableCredentials), so a long audit never runs on expired credentials. The sessions share
the caller's botocore loader: each new session would otherwise parse every service model again
(about 0.35 s of CPU for the ten services an audit uses, measured with botocore 1.43).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from .read import AccountUnreachable
from .session import adaptive_config

ROLE_SESSION_NAME = "lake-audit"  # what CloudTrail shows in each audited account


class AssumeRoleFailed(Exception):
    """STS would not let the audit into one account (AccessDenied, a missing role, a wrong
    external id): that account is reported as unaudited, the others carry on."""


def role_arn(partition: str, account: str, role_name: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def partition_of(session: boto3.Session, region: str | None) -> str:
    return session.get_partition_for_region(region) if region else "aws"


# A boto3 session is not thread-safe, its clients are: the caller's session makes one client per
# account audited, from as many threads.
_CREATING = threading.Lock()


def _client(session: boto3.Session, service: str, region: str | None, endpoint_url: str | None,
            max_attempts: int) -> Any:
    with _CREATING:
        return session.client(service, region_name=region, endpoint_url=endpoint_url,
                              config=adaptive_config(1, max_attempts, endpoint_url))


def caller(session: boto3.Session, region: str | None, endpoint_url: str | None, max_attempts: int) -> str:
    """Who audits (the caller's ARN): the first call, so missing credentials or a wrong endpoint
    stop the audit before any account is tried (exit 2), not as one failure per account."""
    try:
        return _client(session, "sts", region, endpoint_url, max_attempts).get_caller_identity()["Arn"]
    except (BotoCoreError, ClientError) as error:
        raise AccountUnreachable(f"cannot reach the AWS account: {error}") from None


def organization_accounts(session: boto3.Session, region: str | None, endpoint_url: str | None,
                          max_attempts: int) -> list[str]:
    """Every ACTIVE account of the caller's organisation, by id (suspended, closing and closed
    accounts cannot be entered). ``State`` is read when AWS sends it, ``Status`` otherwise
    (AWS retires ``Status`` on 9 September 2026)."""
    organizations = _client(session, "organizations", region, endpoint_url, max_attempts)
    try:
        accounts = [a for page in organizations.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
    except (BotoCoreError, ClientError) as error:
        raise AccountUnreachable(f"cannot list the organization's accounts: {error}; run the audit with "
                                 "credentials of the management account or of a delegated administrator "
                                 "(organizations:ListAccounts), or name the accounts with --accounts") from None
    return sorted(a["Id"] for a in accounts if a.get("State", a.get("Status")) == "ACTIVE")


class _Assumed(CredentialProvider):
    METHOD = "lake-audit-assume-role"
    CANONICAL_NAME = "LakeAuditAssumeRole"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def assumed_session(base: boto3.Session, account: str, role_name: str, external_id: str | None, *,
                    region: str | None, endpoint_url: str | None, max_attempts: int) -> boto3.Session:
    """A session in ``account`` as ``role/role_name``; AssumeRoleFailed when STS refuses."""
    arn = role_arn(partition_of(base, region), account, role_name)
    sts = _client(base, "sts", region, endpoint_url, max_attempts)
    params = {"RoleArn": arn, "RoleSessionName": ROLE_SESSION_NAME}
    if external_id is not None:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        answer = sts.assume_role(**params)["Credentials"]
        expiry = answer["Expiration"]
        return {"access_key": answer["AccessKeyId"], "secret_key": answer["SecretAccessKey"],
                "token": answer["SessionToken"],
                "expiry_time": expiry.isoformat() if isinstance(expiry, datetime) else str(expiry)}

    try:
        first = fetch()
    except ClientError as error:
        details = error.response.get("Error", {})
        raise AssumeRoleFailed(f"AssumeRole of {arn} failed with {details.get('Code', 'Unknown')}: "
                               f"{details.get('Message', '')}".rstrip(": ")) from None
    except BotoCoreError as error:
        raise AssumeRoleFailed(f"AssumeRole of {arn} failed with {type(error).__name__}: {error}") from None
    credentials = RefreshableCredentials.create_from_metadata(first, fetch, _Assumed.METHOD)
    inner = botocore.session.Session()
    inner.register_component("data_loader", base._session.get_component("data_loader"))  # noqa: SLF001
    inner.register_component("credential_provider", CredentialResolver([_Assumed(credentials)]))
    return boto3.Session(botocore_session=inner, region_name=region)
