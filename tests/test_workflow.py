"""The pull-request workflow (it cannot run here): commands it calls exist, action inputs are
the documented ones, and the real preview is skipped without Pulumi credentials."""

import yaml

from lake.cli import FORMATS
from tests.support import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pull-request.yml"
# Inputs documented in each action's action.yml.
DOCUMENTED_INPUTS = {
    "pulumi/actions": {"command", "stack-name", "work-dir", "comment-on-pr", "github-token", "cloud-url",
                       "policyPacks", "policyPackConfigs", "edit-pr-comment", "refresh", "upsert", "diff"},
    "github/codeql-action/upload-sarif": {"sarif_file", "category", "checkout_path", "wait-for-processing"},
    "marocchino/sticky-pull-request-comment": {"header", "path", "message", "recreate", "append", "number"},
    "aws-actions/configure-aws-credentials": {"role-to-assume", "aws-region", "role-session-name"},
    "actions/setup-python": {"python-version"},
}


def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def steps(job):
    return workflow()["jobs"][job]["steps"]


def test_runs_on_pull_requests_with_least_privilege():
    document = workflow()
    assert "pull_request" in document[True]  # PyYAML reads the key `on` as True
    assert document["permissions"] == {"contents": "read"}


def test_action_inputs_are_documented_ones():
    for job in workflow()["jobs"]:
        for step in steps(job):
            action = step.get("uses", "").split("@")[0]
            if action in DOCUMENTED_INPUTS:
                assert set(step.get("with", {})) <= DOCUMENTED_INPUTS[action], (action, step["with"])


def test_plan_steps_use_existing_formats_and_ci_script():
    runs = " ".join(step.get("run", "") for step in steps("offline-plan"))
    assert "bash .ci/run" in runs
    for fmt in ("markdown", "sarif"):
        assert f"--format {fmt}" in runs and fmt in FORMATS


def test_preview_uses_the_policy_pack_and_is_skipped_without_credentials():
    preview = next(s for s in steps("pulumi-preview") if s.get("uses", "").startswith("pulumi/actions"))
    assert preview["with"]["command"] == "preview"
    assert preview["with"]["policyPacks"] == "policies"
    assert preview["if"] == "env.PULUMI_ACCESS_TOKEN != ''"
    assert workflow()["jobs"]["pulumi-preview"]["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    assert all(step.get("if", "").startswith("env.PULUMI_ACCESS_TOKEN") for step in steps("pulumi-preview"))
