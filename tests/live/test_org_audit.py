"""`lake audit --accounts/--organization` on a moto server: lakes in two accounts entered through
assumed roles, one broken bucket, one account STS refuses, one region that cannot be read, an
organisation listed with ListAccounts; every finding with its account and region; every bad
option refused before the first request."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from lake.cli import main
from lake.sandbox.server import MotoServer
from lake.terminal import WIDTH
from tests.live.accounts import BPA, assumed, caller_session, clients_of, deploy_in, fake_credentials, lake_name, \
    refused
from tests.report.sarif_schema import load_sarif_schema

FIRST, SECOND, NOBODY = "111111111111", "222222222222", "333333333333"
BROKEN = f"{lake_name(SECOND)}-dev-raw"
LAKE_TAG = ("--tag", "lake=mlteam")  # the dev plan's lake tag, unchanged in every account


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with MotoServer() as moto:
        yield moto.endpoint_url


@pytest.fixture(scope="module")
def lakes(document, server) -> str:
    """The dev lake in two accounts; the second one's raw bucket has versioning suspended."""
    with pytest.MonkeyPatch.context() as patch:
        for account in (FIRST, SECOND):
            deploy_in(document, server, account, patch)
    clients_of(assumed(server, SECOND))("s3", server).put_bucket_versioning(
        Bucket=BROKEN, VersioningConfiguration={"Status": "Suspended"})
    return server


@pytest.fixture
def url(lakes, monkeypatch) -> str:
    with fake_credentials(monkeypatch):
        yield lakes


def audit(capsys, endpoint_url: str, *argv: str) -> tuple[int, str, str]:
    code = main(["audit", "--endpoint-url", endpoint_url, "--region", "us-east-1", "--role-name", "LakeAudit",
                 *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def hooked_caller(monkeypatch, event: str, handler) -> None:
    """The caller's session (which assumes the roles) with a botocore hook: threads only."""
    session = caller_session()
    session.events.register(event, handler)
    monkeypatch.setattr("lake.audit_command._base_session", lambda args: session)


def test_two_accounts_one_report_the_broken_bucket_under_its_account(capsys, url):
    code, out, err = audit(capsys, url, *LAKE_TAG, "--accounts", f"{FIRST},{SECOND}", "--account-workers", "threads")
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[0] == ("Live audit of 2 accounts in 1 region as role LakeAudit: 10 buckets, 2 keys, 2 endpoints, "
                        "4 crawlers, 2 workgroups, 4")
    assert re.fullmatch(rf"  {FIRST} us-east-1: 5 buckets, 1 key, 1 endpoint, 2 crawlers, 1 workgroup, 2 queues "
                        r"\(79 calls, [0-9.]+ s\)", lines[2])
    assert lines[3].startswith(f"  {SECOND} us-east-1: 5 buckets")
    assert lines[4].startswith("Read with 158 API calls (15.8 per bucket), 158 HTTP requests, ")
    assert lines[4].endswith(", accounts audited in worker threads.")
    assert (f"  FAIL    S3.14   S3 buckets have versioning enabled\n"
            f"          {SECOND}/us-east-1 {BROKEN}: versioning is Suspended; it must be Enabled\n") in out
    assert "Mandatory rules failing: S3.14" in out
    assert max(len(line) for line in lines) <= WIDTH


def _findings(report: dict[str, Any]) -> set[tuple[str, str, str, str, str]]:
    return {(f["account"], f["region"], f["ruleId"], f["resource"], f["status"]) for f in report["findings"]}


def test_json_every_finding_carries_its_account_and_region_in_threads_and_in_processes(capsys, url):
    reports = {}
    for workers in ("threads", "processes"):
        code, out, _ = audit(capsys, url, *LAKE_TAG, "--accounts", f"{SECOND},{FIRST}", "--format", "json",
                             "--account-workers", workers)
        assert code == 1
        reports[workers] = json.loads(out)
    threads, processes = reports["threads"], reports["processes"]
    assert (threads["workers"], processes["workers"]) == ("threads", "processes")
    assert _findings(threads) == _findings(processes)
    assert all({"account", "region"} <= f.keys() for f in threads["findings"])
    assert {f["account"] for f in threads["findings"]} == {FIRST, SECOND}
    failing = {(a, r, rule, resource) for a, r, rule, resource, status in _findings(threads) if status == "fail"}
    assert failing == {(SECOND, "us-east-1", "S3.14", BROKEN)}
    assert (threads["scope"], threads["accounts"], threads["regions"], threads["roleName"]) == (
        "accounts", [SECOND, FIRST], ["us-east-1"], "LakeAudit")
    assert [(t["account"], t["status"], len(t["resources"]["buckets"])) for t in threads["targets"]] == [
        (SECOND, "audited", 5), (FIRST, "audited", 5)]
    assert threads["audit"]["blockingRules"] == ["S3.14"] and threads["unverified"] == []
    assert threads["calls"]["total"] == 158 and "account" not in threads


def test_an_account_sts_refuses_is_a_lake_11_finding_and_the_others_complete(capsys, url, monkeypatch):
    denied = "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRole"
    hooked_caller(monkeypatch, "before-call.sts.AssumeRole",
                  refused(lambda call: f"::{NOBODY}:" in call["body"]["RoleArn"], "AccessDenied", denied))
    code, out, _ = audit(capsys, url, *LAKE_TAG, "--accounts", f"{NOBODY},{SECOND}", "--account-workers", "threads")
    assert code == 1
    could_not = (f"could not audit account {NOBODY} in region us-east-1: AssumeRole of "
                 f"arn:aws:iam::{NOBODY}:role/LakeAudit failed with AccessDenied: {denied}")
    assert f"  {NOBODY} us-east-1: NOT AUDITED: AssumeRole of arn:aws:iam::{NOBODY}:role/LakeAudit failed" in out
    flat = " ".join(out.split())
    assert f"{NOBODY}/us-east-1 account: {could_not}" in flat
    assert f"{SECOND}/us-east-1 {BROKEN}: versioning is Suspended" in flat  # the other account was audited
    assert "Mandatory rules failing: S3.14, LAKE.11" in out


def test_a_region_that_cannot_be_read_is_a_finding_and_each_bucket_is_read_in_its_own_region(capsys, url,
                                                                                                 monkeypatch):
    from policies.adapters.live import accounts

    entered = accounts.assumed_session

    def assumed_session(*args, **kwargs):
        session = entered(*args, **kwargs)
        session.events.register("before-call.sts.GetCallerIdentity", refused(
            lambda call: call["context"]["client_region"] == "eu-west-1", "InvalidClientTokenId",
            "The security token included in the request is invalid"))
        return session

    monkeypatch.setattr(accounts, "assumed_session", assumed_session)
    code, out, _ = audit(capsys, url, *LAKE_TAG, "--accounts", FIRST, "--regions", "us-east-1,eu-west-1,eu-west-3",
                         "--format", "json", "--account-workers", "threads")
    report = json.loads(out)
    assert code == 1
    assert [(t["region"], t["status"]) for t in report["targets"]] == [
        ("us-east-1", "audited"), ("eu-west-1", "failed"), ("eu-west-3", "no-match")]
    assert report["targets"][0]["resources"]["buckets"] == [f"{lake_name(FIRST)}-dev-{zone}" for zone in (
        "curated", "logs", "processed", "query-results", "raw")]  # read in us-east-1 only, though tagged for all
    assert [(f["region"], f["ruleId"], f["status"], f["message"]) for f in report["findings"]
            if f["status"] == "fail"] == [
        ("eu-west-1", "LAKE.11", "fail", f"could not audit account {FIRST} in region eu-west-1: An error occurred "
         "(InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the "
         "request is invalid")]


def test_markdown_and_sarif_say_where(capsys, url, request):
    code, out, _ = audit(capsys, url, *LAKE_TAG, "--accounts", f"{FIRST},{SECOND}", "--format", "markdown",
                         "--account-workers", "threads")
    assert code == 1
    assert out.startswith("### Data lake live audit\n\nLive audit of 2 accounts in 1 region as role LakeAudit")
    assert f"| {FIRST} | us-east-1 | ✅ yes | 5 buckets, 1 key" in out
    assert (f"| ❌ | high | S3.14 S3 buckets have versioning enabled | {SECOND} | us-east-1 | `{BROKEN}` "
            "| versioning is Suspended; it must be Enabled |") in out
    code, out, _ = audit(capsys, url, *LAKE_TAG, "--accounts", f"{FIRST},{SECOND}", "--format", "sarif",
                         "--account-workers", "threads")
    sarif = json.loads(out)
    jsonschema.validate(sarif, load_sarif_schema(request.config.cache.mkdir("sarif-schema")))
    run = sarif["runs"][0]
    assert run["automationDetails"]["id"] == "lake-audit/accounts/"
    assert [(r["ruleId"], r["properties"], r["message"]["text"]) for r in run["results"]] == [
        ("S3.14", {"account": SECOND, "region": "us-east-1"},
         f"{SECOND}/us-east-1 {BROKEN}: versioning is Suspended; it must be Enabled")]


def test_organization_lists_its_active_accounts_and_audits_them(capsys, url):
    organizations = caller_session().client("organizations", endpoint_url=url)
    organizations.create_organization(FeatureSet="ALL")
    made = [organizations.create_account(AccountName=f"lake-{n}", Email=f"lake-{n}@example.com")
            ["CreateAccountStatus"]["AccountId"] for n in range(3)]
    for account in made[:2]:  # one small lake each: a tagged bucket, versioning on in the first only
        s3 = clients_of(assumed(url, account))("s3", url)
        bucket = f"org-{account}"
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "lake", "Value": "org"}]})
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=BPA)
        if account == made[0]:
            s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    code, out, _ = audit(capsys, url, "--tag", "lake=org", "--organization", "--exclude-accounts", made[2],
                         "--format", "json", "--account-workers", "processes")
    report = json.loads(out)
    assert code == 1  # a lone bucket breaks mandatory rules
    management = "123456789012"  # the caller's account created the organization: it is listed too
    assert report["scope"] == "organization" and report["excludedAccounts"] == [made[2]]
    assert report["accounts"] == sorted([management, *made[:2]])
    assert {t["account"]: t["status"] for t in report["targets"]} == {
        management: "no-match", made[0]: "audited", made[1]: "audited"}
    versioning = {(f["account"], f["resource"]): f["status"] for f in report["findings"] if f["ruleId"] == "S3.14"}
    assert versioning == {(made[0], f"org-{made[0]}"): "pass", (made[1], f"org-{made[1]}"): "fail"}


def test_an_organization_that_cannot_be_listed_exits_2(capsys, url, monkeypatch):
    hooked_caller(monkeypatch, "before-call.organizations.ListAccounts", refused(
        lambda call: True, "AccessDeniedException", "You don't have permissions to access this resource."))
    code, out, err = audit(capsys, url, *LAKE_TAG, "--organization", "--account-workers", "threads")
    assert (code, out) == (2, "")
    assert err.startswith("error: cannot list the organization's accounts: An error occurred (AccessDeniedException)")
    assert len(err.splitlines()) == 1


def test_no_bucket_in_any_account_exits_2(capsys, url):
    code, out, err = audit(capsys, url, "--tag", "lake=nobody", "--accounts", f"{FIRST},{SECOND}",
                           "--account-workers", "threads")
    assert (code, out, err) == (2, "", "error: no bucket matched the selection in any of the 2 accounts, "
                                       "regions us-east-1\n")


# --- refused before the first request (the endpoint below answers nothing) ------------------------

CLOSED = "http://127.0.0.1:9"


@pytest.mark.parametrize(("argv", "message"), [
    (("--accounts", "12345", "--role-name", "R"), "error: --accounts 12345: not an AWS account id"),
    (("--accounts", "11111111111\uff11", "--role-name", "R"),
     "error: --accounts 11111111111\uff11: not an AWS account id"),
    (("--accounts", "111111111111,,222222222222", "--role-name", "R"),
     "error: --accounts 111111111111,,222222222222: an empty item; give 12-digit account ids separated by commas, "
     "no empty one"),
    (("--accounts", FIRST, "--role-name", "arn:aws:iam::111111111111:role/R"),
     "error: --role-name arn:aws:iam::111111111111:role/R: not an IAM role name: ':' is not allowed (give the "
     "role's name, not its ARN or path)"),
    (("--accounts", FIRST, "--role-name", "R" * 65),
     f"error: --role-name {'R' * 65}: not an IAM role name: 65 characters, not 1 to 64"),
    (("--accounts", FIRST, "--role-name", "R", "--regions", "us-east-1,Europe"),
     "error: --regions Europe: not an AWS region name"),
    (("--accounts", FIRST, "--role-name", "R", "--external-id", "x"),
     "error: --external-id: not an STS external id: 1 characters, not 2 to 1,224"),
    (("--accounts", FIRST, "--role-name", "R", "--account-concurrency", "33"),
     "error: --account-concurrency 33: give 1 to 32 accounts audited at once"),
    (("--accounts", FIRST), "error: --accounts needs --role-name ROLE: the role lake audit assumes in each account"),
    (("--role-name", "R"), "error: --role-name applies to an audit of several accounts: add --accounts ID,ID,... or "
                           "--organization"),
    (("--regions", "eu-west-1"), "error: --regions applies to an audit of several accounts: add --accounts ID,ID,... "
                                 "or --organization"),
    (("--accounts", FIRST, "--role-name", "R", "--exclude-accounts", FIRST),
     "error: --exclude-accounts leaves out every account of --accounts"),
])
def test_bad_options_exit_2_before_any_request(capsys, monkeypatch, argv, message):
    with fake_credentials(monkeypatch):
        code = main(["audit", "--endpoint-url", CLOSED, *LAKE_TAG, *argv])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.splitlines()[0] == message


@pytest.mark.parametrize(("option", "value"), [("--stack-outputs", "outputs.json"), ("--against-plan", "plan.json")])
def test_one_stack_options_are_refused_across_accounts(capsys, monkeypatch, tmp_path, document, option, value):
    from lake.plan.render import render_json

    path = tmp_path / value
    path.write_text(render_json(document) if option == "--against-plan" else json.dumps(document["outputs"]))
    with fake_credentials(monkeypatch):
        code = main(["audit", "--endpoint-url", CLOSED, "--tag", "lake=mlteam", "--accounts", FIRST,
                     "--role-name", "R", option, str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(f"error: {option} cannot be combined with --accounts: ")


def test_accounts_and_organization_are_exclusive(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["audit", "--tag", "lake=mlteam", "--accounts", FIRST, "--organization", "--role-name", "R"])
    assert stopped.value.code == 2
    assert "argument --organization: not allowed with argument --accounts" in capsys.readouterr().err


def test_the_callers_own_credentials_failing_exits_2_before_any_account(capsys, monkeypatch):
    with fake_credentials(monkeypatch):
        code = main(["audit", "--endpoint-url", CLOSED, *LAKE_TAG, "--accounts", FIRST, "--role-name", "R"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err.startswith('error: cannot reach the AWS account: Could not connect to the endpoint URL: '
                                   '"http://127.0.0.1:9/"')


def test_worker_processes_only_when_several_accounts_run_at_once_on_several_cores(monkeypatch):
    from lake.org_audit import worker_mode

    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    assert worker_mode("auto", 3, 4) == "processes"
    assert worker_mode("auto", 1, 4) == worker_mode("auto", 3, 1) == "threads"
    assert worker_mode("threads", 3, 4) == "threads" and worker_mode("processes", 1, 1) == "processes"
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert worker_mode("auto", 3, 4) == "threads"


def test_assumed_credentials_renew_themselves_before_they_expire(server):
    from datetime import datetime, timedelta, timezone

    from botocore.awsrequest import AWSResponse

    from policies.adapters.live.accounts import ROLE_SESSION_NAME, assumed_session

    asked = []

    def short_lived(params, **_):  # STS's answer, expiring in 5 minutes: within botocore's refresh window
        asked.append(params["body"])
        credentials = {"AccessKeyId": f"ASIA{len(asked):016d}", "SecretAccessKey": "s", "SessionToken": "t",
                       "Expiration": datetime.now(timezone.utc) + timedelta(minutes=5)}
        return AWSResponse(params["url"], 200, {}, None), {"Credentials": credentials}

    base = caller_session()
    base.events.register("before-call.sts.AssumeRole", short_lived)
    session = assumed_session(base, FIRST, "LakeAudit", "ext-id-1", region="us-east-1", endpoint_url=server,
                              max_attempts=1)
    assert session.get_credentials().get_frozen_credentials().access_key == f"ASIA{2:016d}"  # renewed at once
    assert asked[0] == {"Action": "AssumeRole", "Version": "2011-06-15", "RoleSessionName": ROLE_SESSION_NAME,
                        "RoleArn": f"arn:aws:iam::{FIRST}:role/LakeAudit", "ExternalId": "ext-id-1"}
