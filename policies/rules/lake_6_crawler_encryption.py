"""LAKE.6: every Glue crawler encrypts what it writes, through a security configuration."""

from __future__ import annotations

from ..model import Crawler, GlueSecurityConfiguration, Lake, is_unknown
from ..rule import Finding, Rule, Severity, Verdict, failed, passed, per_resource, unknown
from ._policy_reading import combine

RULE_ID = "LAKE.6"


def _modes(config: GlueSecurityConfiguration) -> tuple[tuple[str, object, str], ...]:
    """``(what, mode, required mode)`` for each thing the configuration encrypts."""
    return (
        ("S3 encryption", config.s3_mode, "SSE-KMS"),
        ("CloudWatch encryption", config.cloudwatch_mode, "SSE-KMS"),
        ("job-bookmark encryption", config.job_bookmarks_mode, "CSE-KMS"),
    )


def _judge_mode(what: str, mode: object, required: str) -> Verdict:
    if is_unknown(mode):
        return unknown(f"{what} cannot be known before deployment")
    if mode == required:
        return passed(f"{what} is {required}")
    return failed(f"{what} is {mode or 'not configured'}, must be {required}")


def judge(crawler: Crawler, model: Lake) -> Verdict:
    name = crawler.security_configuration
    if is_unknown(name):
        return unknown("the crawler's security configuration cannot be known before deployment")
    if name is None:
        return failed("the crawler has no security configuration: S3 data, CloudWatch logs and job bookmarks "
                      "are not encrypted with KMS")
    config = model.security_configuration_named(name)
    if config is None:
        return failed(f"security configuration {name} is not declared in the stack")
    verdicts = [_judge_mode(*mode) for mode in _modes(config)]
    status, message = combine(verdicts, "S3 and CloudWatch encryption are SSE-KMS, job-bookmark encryption is CSE-KMS")
    return status, f"security configuration {name}: {message}"


def check(model: Lake) -> list[Finding]:
    return per_resource(RULE_ID, model.crawlers, lambda c: judge(c, model), "the stack declares no Glue crawler")


RULE = Rule(
    id=RULE_ID,
    title="Glue crawlers use a security configuration that encrypts with KMS",
    severity=Severity.HIGH,
    rationale="A crawler writes to CloudWatch Logs (file names, schemas, errors quoting data) and keeps job "
    "bookmarks; without a security configuration these are stored without the lake key, outside the "
    "lake's key policy and its audit trail. cdk-nag GL1/GL3 and Control Tower CT.GLUE.PR.1 require it.",
    remediation="LakeCatalog gives every crawler the lake's security configuration (S3 and CloudWatch "
    "SSE-KMS, job bookmarks CSE-KMS, all with the lake key); declare it in the same stack and name it in "
    "the crawler's `security_configuration`.",
    reference="https://docs.aws.amazon.com/glue/latest/dg/encryption-security-configuration.html",
    check=check,
    scope="every Glue crawler",
)
