"""RULES.md is generated from the rules' metadata, and that metadata is complete."""

import pytest

from policies.docs import RULES_MD, rules_markdown
from policies.exceptions import NOT_ENFORCED, SCANNER_WAIVERS
from policies.registry import all_rules

REFRESH = ".venv/bin/python -m policies.docs --write"
TEXT_FIELDS = ("id", "title", "rationale", "remediation", "reference", "scope")


def test_rules_md_is_up_to_date():
    assert RULES_MD.exists() and RULES_MD.read_text() == rules_markdown(), f"RULES.md is stale: run `{REFRESH}`"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_every_rule_has_its_metadata(rule):
    assert all(getattr(rule, name).strip() for name in TEXT_FIELDS)
    assert rule.reference.startswith("https://")


def test_rule_ids_and_slugs_are_unique():
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.slug for r in rules}) == len(rules)


def test_controls_not_enforced_are_documented_and_not_enforced():
    ids = [c.id for c in NOT_ENFORCED]
    assert ids == ["S3.7", "S3.15", "S3.20", "S3.11", "S3.10"]
    assert all(c.title and c.why and c.instead for c in NOT_ENFORCED)
    assert NOT_ENFORCED[0].reference == "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-7"
    assert not set(ids) & {r.id for r in all_rules()}


def test_other_scanners_checks_waived_are_documented():
    """The checkov checks that fail on the dev and prod plans by design (docs/assurance.md classifies them)."""
    assert {c.id: c.checkov for c in NOT_ENFORCED if c.checkov} == {"S3.7": ("CKV_AWS_144",), "S3.11": ("CKV2_AWS_62",)}
    assert [(w.tool, w.id) for w in SCANNER_WAIVERS] == [("checkov", "CKV_AWS_145")]
    assert all(w.title and w.resources and w.why and w.instead and w.reference.startswith("https://")
               for w in SCANNER_WAIVERS)
    assert "### checkov CKV_AWS_145: Ensure that S3 buckets are encrypted with KMS by default" in rules_markdown()


def test_the_command_prints_what_it_would_write(capsys):
    from policies.docs import main

    assert main([]) == 0
    assert capsys.readouterr().out == rules_markdown()
