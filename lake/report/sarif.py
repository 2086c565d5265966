"""Findings as SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

Failures are results (``error`` for mandatory rules, ``warning`` for advisory ones); values
unknown before deployment are ``note`` results. Passes and not-applicable findings are left out,
as code scanning expects. Each result points at the stack's config file and names the resource.
"""

from __future__ import annotations

import hashlib
from typing import Any

from lake import __version__
from policies.registry import all_rules
from policies.rule import Finding, Rule, Severity, Status

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/secure-datalake/secure-datalake"
# GitHub sorts and filters security alerts by this property (a CVSS-like score).
SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}


def _level(rule: Rule, finding: Finding) -> str:
    if finding.status is Status.UNKNOWN:
        return "note"
    return "error" if rule.severity.mandatory else "warning"


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": rule.remediation, "markdown": f"{rule.remediation}\n\n[{rule.id}]({rule.reference})"},
        "helpUri": rule.reference,
        "defaultConfiguration": {"level": "error" if rule.severity.mandatory else "warning"},
        "properties": {
            "tags": ["security", "data-lake", rule.severity.value],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _result(rule: Rule, index: int, finding: Finding, artifact: str) -> dict[str, Any]:
    # An audit of several accounts: the same resource name ("lake") in two accounts is two alerts.
    located = "" if finding.account is None else f"|{finding.account}|{finding.region}"
    fingerprint = hashlib.sha256(f"{finding.rule_id}|{finding.resource}{located}".encode()).hexdigest()
    logical = {"name": finding.resource, "kind": "resource"}
    if finding.ref:
        logical["fullyQualifiedName"] = finding.ref
    result = {
        "ruleId": rule.id,
        "ruleIndex": index,
        "level": _level(rule, finding),
        "message": {"text": f"{finding.where}: {finding.message}"},
        "locations": [{
            "physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}},
            "logicalLocations": [logical],
        }],
        "partialFingerprints": {"lakeFinding/v1": fingerprint},
    }
    if finding.account is not None:
        result["properties"] = {"account": finding.account, "region": finding.region}
    return result


def render_sarif(findings: list[Finding], stack: str, artifact: str, automation: str = "lake-plan") -> dict[str, Any]:
    """``artifact``: the file the results point at (the stack's config file, repo-relative);
    ``automation``: which run this is, so code scanning keeps plan and audit results apart."""
    rules = list(all_rules())
    index = {r.id: i for i, r in enumerate(rules)}
    results = [
        _result(rules[index[f.rule_id]], index[f.rule_id], f, artifact)
        for f in findings
        if f.status in (Status.FAIL, Status.UNKNOWN)
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": "lake",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(r) for r in rules],
            }},
            "automationDetails": {"id": f"{automation}/{stack}/"},
            "results": results,
        }],
    }
