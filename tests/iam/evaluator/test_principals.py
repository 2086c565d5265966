"""Whom a resource-policy statement names: the principal itself ("direct"), its account, or not."""

from __future__ import annotations

import pytest

from policies.evaluator.principals import named_account, principal_grant
from policies.evaluator.request import Principal

from .support import ACCOUNT, OTHER_ACCOUNT, role

READER = role("Reader")
LOGGING = Principal.aws_service("logging.s3.amazonaws.com")
ANONYMOUS = Principal.anonymous()
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


@pytest.mark.parametrize(
    ("principal_element", "principal", "grant"),
    [
        ("*", READER, "direct"),
        ("*", ANONYMOUS, "direct"),
        ("*", LOGGING, "direct"),
        ({"AWS": "*"}, ANONYMOUS, "direct"),
        ({"AWS": "*"}, LOGGING, "direct"),
        ({"AWS": READER.arn}, READER, "direct"),
        ({"AWS": [OTHER_ACCOUNT, READER.arn]}, READER, "direct"),
        ({"AWS": [ROOT, READER.arn]}, READER, "direct"),  # the stronger of the two
        ({"AWS": ROOT}, READER, "account"),
        ({"AWS": ACCOUNT}, READER, "account"),
        ({"AWS": f"arn:aws-cn:iam::{ACCOUNT}:root"}, READER, "account"),
        ({"AWS": ROOT}, role("Reader", OTHER_ACCOUNT), None),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/Writer"}, READER, None),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/*"}, READER, None),  # no partial wildcards in principals
        ({"AWS": ROOT}, ANONYMOUS, None),
        ({"AWS": ROOT}, LOGGING, None),
        ({"Service": "logging.s3.amazonaws.com"}, LOGGING, "direct"),
        ({"Service": ["cloudtrail.amazonaws.com", "logging.s3.amazonaws.com"]}, LOGGING, "direct"),
        ({"Service": "cloudtrail.amazonaws.com"}, LOGGING, None),
        ({"Service": "logging.s3.amazonaws.com"}, READER, None),
        ({"AWS": "logging.s3.amazonaws.com"}, LOGGING, None),
        ({"Federated": "cognito-identity.amazonaws.com"}, READER, None),
        ({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, READER, None),
        (None, READER, None),
    ],
)
def test_principal(principal_element, principal, grant):
    assert principal_grant({"Principal": principal_element}, principal) == grant


@pytest.mark.parametrize(
    ("not_principal", "principal", "grant"),
    [
        ({"AWS": READER.arn}, READER, None),
        ({"AWS": READER.arn}, role("Writer"), "direct"),
        ({"AWS": ROOT}, READER, "direct"),  # naming the root exempts the account principal only
        ({"AWS": [READER.arn, ROOT]}, ANONYMOUS, "direct"),
        ({"Service": "logging.s3.amazonaws.com"}, LOGGING, None),
        ("*", READER, None),
    ],
)
def test_not_principal_covers_everyone_it_does_not_name(not_principal, principal, grant):
    assert principal_grant({"NotPrincipal": not_principal}, principal) == grant


@pytest.mark.parametrize(
    ("value", "account"),
    [(ACCOUNT, ACCOUNT), (ROOT, ACCOUNT), (f"arn:aws:iam::{ACCOUNT}:role/Reader", None), ("12345", None),
     (f"{ACCOUNT}:root", None), ("*", None)],
)
def test_named_account(value, account):
    assert named_account(value) == account
