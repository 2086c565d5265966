"""The AWS provider's keys the lake reads: ``aws:region`` and ``aws:allowedAccountIds``.

Not ours, but a typo in the region deploys the lake in no region or the wrong one, and the
allowed accounts are the account the lake's policies will name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from lake.config.documents import NestingError, loads_json
from lake.config.messages import describe
from lake.config.problems import ConfigProblem, key_path

REGION_KEY = "aws:region"
ALLOWED_ACCOUNTS_KEY = "aws:allowedAccountIds"
# Matched whole (fullmatch: "$" would let a final line break through); ASCII digits only.
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+")
_ACCOUNT = re.compile(r"[0-9]{12}")


def region_problems(values: Mapping[str, Any]) -> list[ConfigProblem]:
    if REGION_KEY not in values:
        return []  # the AWS provider falls back to AWS_REGION / the profile's region
    region = values[REGION_KEY]
    if not isinstance(region, str):
        return [ConfigProblem(REGION_KEY, f"expected a string, got {describe(region)}")]
    if not _REGION.fullmatch(region):
        return [ConfigProblem(REGION_KEY, f"expected an AWS region such as 'us-east-1' or 'eu-west-3', got {describe(region)}")]
    return []


def allowed_accounts(values: Mapping[str, Any]) -> Any:
    """The raw value; under a Pulumi run it arrives JSON-encoded."""
    value = values.get(ALLOWED_ACCOUNTS_KEY)
    if isinstance(value, str):
        try:
            return loads_json(value)
        except (json.JSONDecodeError, NestingError):
            return value
    return value


def allowed_accounts_problems(values: Mapping[str, Any]) -> list[ConfigProblem]:
    accounts = allowed_accounts(values)
    if accounts is None:
        return []
    if not isinstance(accounts, list) or not accounts:
        return [ConfigProblem(ALLOWED_ACCOUNTS_KEY, f"expected a non-empty list of account ids, got {describe(accounts)}")]
    return [
        ConfigProblem(key_path("aws", ("allowedAccountIds", index)), f"expected a 12-digit account id, got {describe(account)}")
        for index, account in enumerate(accounts)
        if not (isinstance(account, str) and _ACCOUNT.fullmatch(account))
    ]


def provider_problems(values: Mapping[str, Any]) -> list[ConfigProblem]:
    return region_problems(values) + allowed_accounts_problems(values)


def administrator_account_problems(administrators: tuple[str, ...], values: Mapping[str, Any]) -> list[ConfigProblem]:
    """Warn about key administrators outside the stack's allowed accounts.

    Legitimate for a central security account, but more often a copy-paste from another stack:
    the key policy would name a principal of an account the lake is never deployed to.
    """
    accounts = allowed_accounts(values) or []
    return [
        ConfigProblem(
            key_path("datalake", ("administrators", index)),
            f"belongs to account {arn.split(':')[4]}, which is not in {ALLOWED_ACCOUNTS_KEY} "
            f"({', '.join(accounts)}); the key policy will name a principal of another account",
            "warning",
        )
        for index, arn in enumerate(administrators)
        if accounts and arn.split(":")[4] not in accounts
    ]
