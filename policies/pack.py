"""The rules as CrossGuard stack policies, for `pulumi preview --policy-pack policies`.

Each rule becomes one StackValidationPolicy: stack-level, because a bucket's protections are
split over several pulumi-aws resources that only the whole stack joins together. The pack's
entry point (``policies/__main__.py``) only builds the PolicyPack from ``stack_policies()``; tests
call the validators here directly (importing the entry point would start the pack's server).
"""

from __future__ import annotations

from dataclasses import replace

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, ReportViolation, StackValidationArgs, StackValidationPolicy
from pulumi_policy import Severity as PackSeverity

from .adapters.pack import lake_from_stack
from .registry import all_rules
from .rule import Rule, Status

PACK_NAME = "secure-datalake"

# A preview carries resources, not the stack config: the principals outside the lake's account that
# the config names (administrators, deployer, external consumers' roles) reach the pack as policy
# config, `pulumi preview --policy-pack policies --policy-pack-config policies/config.<stack>.json`.
TRUSTED_PRINCIPALS = "trustedPrincipals"
IAM_PRINCIPAL = r"^([0-9]{12}|arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(root|role/.+|user/.+))$"
TRUSTED_SCHEMA = PolicyConfigSchema(properties={
    TRUSTED_PRINCIPALS: {"type": "array", "uniqueItems": True, "default": [],
                         "items": {"type": "string", "pattern": IAM_PRINCIPAL}},
})
# The rules that read Lake.trusted_principals, so the ones whose pack policy takes the config.
CONFIGURED_RULES = frozenset({"LAKE.12"})


def enforcement(rule: Rule) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if rule.severity.mandatory else EnforcementLevel.ADVISORY


def validator(rule: Rule):
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        trusted = tuple(args.get_config().get(TRUSTED_PRINCIPALS, ()))
        findings = rule.check(replace(lake_from_stack(args), trusted_principals=trusted))
        if all(f.status is Status.NOT_APPLICABLE for f in findings):
            args.not_applicable("; ".join(sorted({f.message for f in findings})))
        for finding in findings:
            if finding.status is Status.FAIL:
                urn = finding.ref if finding.ref and finding.ref.startswith("urn:") else None
                report_violation(f"{finding.resource}: {finding.message}", urn)

    return validate


def stack_policy(rule: Rule) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=rule.slug,
        description=f"{rule.id}: {rule.title}",
        validate=validator(rule),
        enforcement_level=enforcement(rule),
        config_schema=TRUSTED_SCHEMA if rule.id in CONFIGURED_RULES else None,
        severity=PackSeverity(rule.severity.value),
        remediation_steps=rule.remediation,
        url=rule.reference,
        tags=[rule.id],
    )


def stack_policies() -> list[StackValidationPolicy]:
    return [stack_policy(rule) for rule in all_rules()]
