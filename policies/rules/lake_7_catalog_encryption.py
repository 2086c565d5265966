"""LAKE.7: the Glue Data Catalog and its connection passwords are encrypted with KMS."""

from __future__ import annotations

from ..model import CatalogEncryption, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine

RULE_ID = "LAKE.7"
KMS_MODES = ("SSE-KMS", "SSE-KMS-WITH-SERVICE-ROLE")


def _judge_mode(settings: CatalogEncryption) -> Verdict:
    if is_unknown(settings.mode):
        return unknown("the catalog encryption mode cannot be known before deployment")
    if settings.mode not in KMS_MODES:
        return failed(f"catalog encryption is {settings.mode or 'not configured'}, must be SSE-KMS")
    if settings.key_arn is None:
        return failed("catalog encryption names no KMS key")
    return passed("the catalog is encrypted with SSE-KMS")


def _judge_passwords(settings: CatalogEncryption) -> Verdict:
    if is_unknown(settings.password_encrypted):
        return unknown("whether connection passwords are encrypted cannot be known before deployment")
    if settings.password_encrypted is not True:
        return failed("connection passwords are not encrypted")
    return passed("connection passwords are encrypted")


def judge(settings: CatalogEncryption) -> Verdict:
    return combine((_judge_mode(settings), _judge_passwords(settings)),
                   "the catalog is encrypted with SSE-KMS under a named key, and so are connection passwords")


def check(model: Lake) -> list[Finding]:
    settings = () if model.catalog_encryption is None else (model.catalog_encryption,)
    return per_resource(RULE_ID, settings, judge, "the stack does not manage the Data Catalog's encryption settings")


RULE = Rule(
    id=RULE_ID,
    title="The Glue Data Catalog is encrypted with KMS",
    severity=Severity.HIGH,
    rationale="The catalog describes the lake: table names, columns, S3 locations, partition values that are "
    "often data themselves (dates, customer ids). Unencrypted, it is readable outside the lake key's policy; "
    "connection passwords returned in clear text leak database credentials to anyone allowed "
    "glue:GetConnection.",
    remediation="LakeCatalog declares `glue.DataCatalogEncryptionSettings` with SSE-KMS and connection "
    "password encryption, both with the lake key; restore it if it was removed or changed.",
    reference="https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html",
    check=check,
    scope="the Glue Data Catalog's encryption settings, when the stack manages them",
)
