"""RULES.md, generated from the rules' own metadata and the controls not enforced.

``python -m policies.docs`` prints the catalogue; ``python -m policies.docs --write`` rewrites
RULES.md at the repository root. tests/policies/test_rules_doc.py fails while the file is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .exceptions import NOT_ENFORCED, SCANNER_WAIVERS, NotEnforced, ScannerWaiver
from .registry import all_rules
from .rule import Rule

RULES_MD = Path(__file__).resolve().parent.parent / "RULES.md"

INTRO = """\
# Rules

Generated from the rules' metadata (`policies/rules/`, `policies/exceptions.py`) by
`python -m policies.docs --write`: edit those, not this file.

Each rule reads the normalised model of the lake, so the same rule audits the offline plan, the
policy pack during `pulumi preview`, and the live account. A finding is pass, fail, unknown (the
value cannot be known before deployment: neither pass nor fail) or not applicable.
Critical and high rules are **mandatory**: a failure makes `lake plan` exit 1 and the policy pack
block the deployment. Medium and low rules are **advisory**: reported, never blocking.
"""


def enforcement(rule: Rule) -> str:
    return "mandatory" if rule.severity.mandatory else "advisory"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _summary(rules: Sequence[Rule]) -> list[str]:
    return [
        "| Id | Title | Severity | Enforcement | Scope |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| [{r.id}](#{r.slug}) | {_cell(r.title)} | {r.severity.value} | {enforcement(r)} | {_cell(r.scope)} |"
            for r in rules
        ),
    ]


def _section(heading: str, *paragraphs: str) -> list[str]:
    return [f"### {heading}", "", *(line for paragraph in paragraphs for line in (paragraph, ""))]


def _rule_section(rule: Rule) -> list[str]:
    return [f'<a id="{rule.slug}"></a>', "", *_section(
        f"{rule.id}: {rule.title}",
        f"Severity: {rule.severity.value} ({enforcement(rule)}). Scope: {rule.scope}.",
        f"**Why.** {rule.rationale}",
        f"**Remediation.** {rule.remediation}",
        f"**Reference.** <{rule.reference}>",
    )]


def _exception_section(control: NotEnforced) -> list[str]:
    scanners = [f"**checkov.** {', '.join(control.checkov)} asks for the same and is waived for the same reason."]
    return _section(
        f"{control.id}: {control.title}",
        f"**Why not.** {control.why}",
        f"**Instead.** {control.instead}",
        *(scanners if control.checkov else []),
        f"**Reference.** <{control.reference}>",
    )


def _waiver_section(waiver: ScannerWaiver) -> list[str]:
    return _section(
        f"{waiver.tool} {waiver.id}: {waiver.title}",
        f"Fails on: {waiver.resources}.",
        f"**Why.** {waiver.why}",
        f"**Instead.** {waiver.instead}",
        f"**Reference.** <{waiver.reference}>",
    )


SCANNERS_INTRO = (
    "Checks of other scanners, run on the plan as a Terraform plan document (`scripts/scan_plan.py`; every "
    "result and its verdict: [docs/assurance.md](docs/assurance.md#other-scanners-on-the-plan-checkov)), that "
    "fail on the lake by design. A check asking for the same as a control above is waived there (its "
    "**checkov** line)."
)


def rules_markdown() -> str:
    rules = all_rules()
    lines = [
        INTRO,
        "## Summary",
        "",
        *_summary(rules),
        "",
        "## Rules",
        "",
        *(line for rule in rules for line in _rule_section(rule)),
        "## Controls not enforced",
        "",
        "Controls of the Security Hub catalogue that the lake deliberately leaves out, with the reason and what "
        "stands in for them.",
        "",
        *(line for control in NOT_ENFORCED for line in _exception_section(control)),
        "## Other scanners' checks waived",
        "",
        SCANNERS_INTRO,
        "",
        *(line for waiver in SCANNER_WAIVERS for line in _waiver_section(waiver)),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {RULES_MD.name} instead of printing it")
    text = rules_markdown()
    if parser.parse_args(argv).write:
        RULES_MD.write_text(text)
        print(f"wrote {RULES_MD}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
