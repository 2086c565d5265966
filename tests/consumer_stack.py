"""A stack with one consumer of each kind and shape, planned offline: shared by the program, model and
sandbox tests of consumers (tests/test_consumers_program.py, tests/live/test_consumers_apply.py)."""

from __future__ import annotations

from pathlib import Path

from lake.plan.runner import Plan, plan_stack
from tests.support import REPO

STACK = "consumers"
PARTNER_ACCOUNT = "345678901234"
PARTNER = f"arn:aws:iam::{PARTNER_ACCOUNT}:role/Research"
ANALYST = "arn:aws:iam::123456789012:role/team/Analyst"
NOTEBOOK = "arn:aws:iam::123456789012:user/data/notebook"
AUDITOR = "arn:aws:iam::123456789012:role/Auditor"

# The perimeter is on: consumers require the endpoint unless they say otherwise (batch, partner).
CONFIG = f"""\
config:
  aws:region: us-east-1
  aws:allowedAccountIds: ["123456789012"]
  datalake:name: mlteam
  datalake:administrators: [arn:aws:iam::123456789012:role/LakeAdmin]
  datalake:deployer: arn:aws:iam::123456789012:role/PlatformDeployer
  datalake:perimeter: true
  datalake:trustedAccounts: ["{PARTNER_ACCOUNT}"]
  datalake:consumers:
    - name: training
      service: sagemaker
      grants:
        - {{zone: curated, access: read}}
        - {{zone: processed, access: write, prefixes: [features/]}}
    - name: batch
      service: ec2
      requireEndpoint: false
      grants: [{{zone: raw, access: read, prefixes: [images/]}}]
    - name: analysts
      principal: {ANALYST}
      attach: true
      grants: [{{zone: curated, access: query}}]
    - name: notebook
      principal: {NOTEBOOK}
      attach: true
      grants: [{{zone: processed, access: read}}]
    - name: auditors
      principal: {AUDITOR}
      grants: [{{zone: raw, access: read}}]
    - name: partner
      principal: {PARTNER}
      requireEndpoint: false
      grants:
        - {{zone: curated, access: read, prefixes: [features/]}}
        - {{zone: processed, access: write, prefixes: [shared/]}}
"""


def write_config(directory: Path, text: str = CONFIG) -> Path:
    path = directory / f"Pulumi.{STACK}.yaml"
    path.write_text(text)
    return path


def consumers_plan(directory: Path, account_id: str | None = None) -> Plan:
    """The plan of ``CONFIG`` (written in ``directory``, a test's temporary folder)."""
    return plan_stack(REPO, STACK, account_id, config_file=write_config(directory))
