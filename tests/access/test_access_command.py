"""`lake access`: one question, its decision, and the statement that decided it."""

import json

import pytest

from lake.cli import main
from tests.support import REPO

RAW = "arn:aws:s3:::mlteam-dev-raw"


def ask(capsys, *argv):
    code = main(["access", "--project-dir", str(REPO), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_allowed_read_names_the_grants(capsys):
    code, out, _ = ask(capsys, "--principal", "reader", "--action", "s3:GetObject", "--resource", f"{RAW}/a/b.csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"ALLOWED: data reader -> s3:GetObject on {RAW}/a/b.csv"
    assert "  decided by: identity policy of data reader, statement ReadLakeObjects" in lines
    assert "  decided by: identity policy of data reader, statement DecryptLakeObjects" in lines


def test_plain_http_is_denied_by_the_tls_statement(capsys):
    code, out, _ = ask(capsys, "--principal", "administrator", "--action", "s3:GetObject",
                       "--resource", f"{RAW}/x", "--context", "aws:SecureTransport=false")
    assert code == 1
    assert out.splitlines()[0] == f"DENIED (explicit deny): lake administrator -> s3:GetObject on {RAW}/x"
    assert "  decided by: bucket policy of mlteam-dev-raw, statement DenyInsecureTransport" in out.splitlines()


def test_arbitrary_role_with_identity_policy_file(capsys, tmp_path):
    policy = tmp_path / "writer.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Write", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{RAW}/*"}]}))
    role = "arn:aws:iam::123456789012:role/writer"
    code, out, _ = ask(capsys, "--principal", role, "--action", "s3:PutObject", "--resource", f"{RAW}/x",
                       "--identity-policy", str(policy))
    assert code == 1  # S3 allows, but the role has no kms:GenerateDataKey: the key refuses
    assert out.splitlines()[0] == f"DENIED (no grant): {role} -> s3:PutObject on {RAW}/x"
    assert "the lake key refuses" in out


def test_key_question(capsys):
    code, out, _ = ask(capsys, "--principal", "administrator", "--action", "kms:Decrypt",
                       "--resource", _key_arn(capsys))
    assert code == 1
    assert "  decided by: key policy of lake-key-key, statement DenyUseOutsideS3" in out.splitlines()


def _key_arn(capsys):
    main(["plan", "--project-dir", str(REPO), "--format", "json", "--no-audit"])
    return json.loads(capsys.readouterr().out)["outputs"]["keyArn"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--principal", "Nobody", "--action", "s3:GetObject", "--resource", f"{RAW}/x"],
         "error: --principal Nobody: neither an IAM ARN nor one of administrator, deployer, reader, external, "
         "anonymous"),
        (["--principal", "reader", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::elsewhere/x"],
         "error: --resource arn:aws:s3:::elsewhere/x: not a bucket, object or key of this stack"),
        (["--principal", "reader", "--action", "s3:GetObject", "--resource", f"{RAW}/x", "--context", "novalue"],
         "error: --context novalue: expected KEY=VALUE"),
    ],
)
def test_bad_questions_exit_2(capsys, argv, message):
    """The first line names the option and value; every case of the class is in test_access_inputs.py."""
    code, out, err = ask(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.splitlines()[0] == message
