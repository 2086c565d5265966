"""`lake access` reads its inputs strictly: a misspelt action, an unknown condition key, a value
of the wrong type, a malformed ARN or identity policy is exit 2 with one `error:` line naming the
option and the value (policies/access/inputs.py), never an answer about something else.

The S3 and KMS catalogue (policies/access/catalogue.json) is generated from parliament's copy of
AWS's IAM definition: it must be what the installed parliament gives, and hold every action and
condition key the lake's own policies use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import lake.plan.runner
from lake.cli import main
from policies.access.catalogue import CATALOGUE_PATH, catalogue
from policies.access.inputs import MAX_POLICY_DEPTH
from policies.iam import action_matches, as_list, conditions, statements
from tests.iam.generated import builder_policies, plan_policies
from tests.support import REPO

sys.path.insert(0, str(REPO / "scripts"))
import access_catalogue  # noqa: E402  (the generator, beside the other scripts)

RAW = "arn:aws:s3:::mlteam-dev-raw"
OBJECT = f"{RAW}/images/0001.png"
KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/bc71db6d-e09f-5836-b910-98c093af4ca2"  # the dev plan's mock key
ROLE = "arn:aws:iam::123456789012:role/etl"
WRITER = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Write", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{RAW}/*"}]}


@pytest.fixture(scope="module", autouse=True)
def plan_once():
    """Every question plans the dev stack in-process; the plan is the same each time, so make it once."""
    real, plans = lake.plan.runner.plan_stack, {}

    def plan_stack(project_dir, stack, account_id=None, config_file=None):
        key = (str(project_dir), stack, account_id, config_file)
        if key not in plans:
            plans[key] = real(project_dir, stack, account_id, config_file)
        return plans[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lake.plan.runner, "plan_stack", plan_stack)
        yield


def ask(capsys, principal="reader", action="s3:GetObject", resource=OBJECT, context=(), policies=()):
    argv = ["access", "--project-dir", str(REPO), "--principal", principal, "--action", action, "--resource", resource]
    argv += [word for pair in context for word in ("--context", pair)]
    argv += [word for path in policies for word in ("--identity-policy", str(path))]
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, **question) -> str:
    """The first stderr line of a question that must exit 2 with nothing on stdout; it has a hint."""
    code, out, err = ask(capsys, **question)
    assert (code, out) == (2, ""), err
    lines = err.splitlines()
    assert any(line.startswith("hint: ") for line in lines[1:]), err
    return lines[0]


# --action --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("question", "first_line"),
    [
        ({"action": "s3:GetObjekt"}, "error: --action s3:GetObjekt: not an S3 or KMS action (did you mean s3:GetObject?)"),
        ({"action": "GetObject"}, "error: --action GetObject: not an S3 or KMS action (did you mean s3:GetObject?)"),
        ({"action": "s3:Decrypt"}, "error: --action s3:Decrypt: not an S3 or KMS action (did you mean kms:Decrypt?)"),
        ({"action": "ec2:RunInstances"}, "error: --action ec2:RunInstances: not an S3 or KMS action"),
        ({"action": ""}, "error: --action '': not an S3 or KMS action"),
        ({"action": "s3:Get*"}, "error: --action s3:Get*: a wildcard stands for many actions, not one request"),
        ({"action": "*"}, "error: --action *: a wildcard stands for many actions, not one request"),
        ({"action": "s3:GetObjec?"}, "error: --action s3:GetObjec?: a wildcard stands for many actions, not one request"),
        ({"action": "s3:GetObject", "resource": RAW},
         f"error: --action s3:GetObject: acts on an object, not on a bucket ({RAW})"),
        ({"action": "s3:ListBucket"},
         f"error: --action s3:ListBucket: acts on a bucket, not on an object ({OBJECT})"),
        ({"action": "kms:Decrypt"}, f"error: --action kms:Decrypt: acts on a KMS key, not on an object ({OBJECT})"),
        ({"action": "s3:GetObject", "resource": KEY_ARN},
         f"error: --action s3:GetObject: acts on an object, not on a KMS key ({KEY_ARN})"),
        ({"action": "s3:ListAllMyBuckets", "resource": RAW},
         "error: --action s3:ListAllMyBuckets: acts on no resource (it is allowed or not on Resource *), "
         "not on a bucket, object or KMS key"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_bad_action(capsys, question, first_line):
    assert refused(capsys, **question) == first_line


def test_action_case_is_ignored_as_iam_does(capsys):
    """s3:getobject is s3:GetObject: the reader is allowed, the lake key asked too (its check keys
    on the action as AWS spells it)."""
    code, out, _ = ask(capsys, action="s3:getobject")
    assert code == 0
    assert out.splitlines()[0] == f"ALLOWED: data reader -> s3:getobject on {OBJECT}"
    assert "  decided by: key policy of lake-key-key, statement EnableIamPolicies" in out.splitlines()


def test_key_action_in_any_case(capsys):
    code, out, _ = ask(capsys, principal="administrator", action="KMS:decrypt", resource=KEY_ARN)
    assert code == 1
    assert "  decided by: key policy of lake-key-key, statement DenyUseOutsideS3" in out.splitlines()


# --principal -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("principal", "first_line"),
    [
        # Not a consumer's name either (lowercase only): refused before the plan. A lowercase name
        # is checked against the stack's consumers after it (test_consumer_rows.py).
        ("Nobody", "error: --principal Nobody: neither an IAM ARN nor one of administrator, deployer, reader, "
                   "external, anonymous"),
        ("Readr", "error: --principal Readr: neither an IAM ARN nor one of administrator, deployer, reader, "
                  "external, anonymous (did you mean reader?)"),
        ("arn:aws:iam::1234567890:role/etl",
         "error: --principal arn:aws:iam::1234567890:role/etl: the account id 1234567890 is not 12 digits (0-9)"),
        # Digits of other scripts are digits to \d; an account id is ASCII digits only.
        ("arn:aws:iam::１２３４５６７８９０１２:role/etl",
         "error: --principal arn:aws:iam::１２３４５６７８９０１２:role/etl: the account id １２３４５６７８９０１２ "
         "is not 12 digits (0-9)"),
        ("arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/etl",
         "error: --principal arn:aws:iam::١٢٣٤٥٦٧٨٩٠١٢:role/etl: the account id ١٢٣٤٥٦٧٨٩٠١٢ is not 12 digits (0-9)"),
        ("arn:aws:iam::123456789012:role/*",
         "error: --principal arn:aws:iam::123456789012:role/*: a wildcard stands for many principals, not the one "
         "making a request"),
        ("arn:aws:sts::123456789012:assumed-role/etl/session-1",
         "error: --principal arn:aws:sts::123456789012:assumed-role/etl/session-1: a role session; policies see the "
         "role that was assumed"),
        ("arn:aws:s3:::mlteam-dev-raw",
         "error: --principal arn:aws:s3:::mlteam-dev-raw: not an IAM principal (service s3, not iam)"),
        ("arn:aws:iam:us-east-1:123456789012:role/etl",
         "error: --principal arn:aws:iam:us-east-1:123456789012:role/etl: IAM ARNs have no region "
         "(arn:aws:iam::ACCOUNT:...)"),
        ("arn:aws:iam::123456789012:group/devs",
         "error: --principal arn:aws:iam::123456789012:group/devs: names no role, user or account root "
         "(role/NAME, user/NAME, root)"),
        ("arn:aws:iam::123456789012",
         "error: --principal arn:aws:iam::123456789012: not an ARN (arn:PARTITION:iam::ACCOUNT:role/NAME)"),
        ("arn:amazon:iam::123456789012:role/etl",
         "error: --principal arn:amazon:iam::123456789012:role/etl: unknown partition amazon (aws, aws-cn, "
         "aws-us-gov...)"),
        # fullmatch, not match or $: a trailing newline is not part of a name.
        (f"{ROLE}\n", f"error: --principal {ROLE + chr(10)!r}: names no role, user or account root "
                      "(role/NAME, user/NAME, root)"),
    ],
)
def test_bad_principal(capsys, principal, first_line):
    assert refused(capsys, principal=principal) == first_line


def test_assumed_role_hint_names_the_role(capsys):
    _, _, err = ask(capsys, principal="arn:aws:sts::123456789012:assumed-role/etl/session-1")
    assert "hint: name the role: --principal arn:aws:iam::123456789012:role/etl (with its path, if it has one)" in err


@pytest.mark.parametrize("principal", [f"{ROLE}", "arn:aws:iam::123456789012:role/team/etl",
                                       "arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:root"])
def test_principal_arns_still_answered(capsys, principal):
    code, out, _ = ask(capsys, principal=principal)
    assert code == 1
    assert out.splitlines()[0] == f"DENIED (no grant): {principal} -> s3:GetObject on {OBJECT}"


# --resource ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("resource", "first_line"),
    [
        ("mlteam-dev-raw/x", "error: --resource mlteam-dev-raw/x: not an ARN"),
        (f"{RAW}/*", f"error: --resource {RAW}/*: a wildcard stands for many resources, not the one a request names"),
        ("arn:aws:s3:::Bad_Bucket/x", "error: --resource arn:aws:s3:::Bad_Bucket/x: Bad_Bucket is not a bucket name "
                                      "(3 to 63 of a-z 0-9 . -)"),
        (f"{RAW}/", f"error: --resource {RAW}/: the object key after mlteam-dev-raw/ is empty"),
        ("arn:aws:s3:us-east-1::mlteam-dev-raw/x",
         "error: --resource arn:aws:s3:us-east-1::mlteam-dev-raw/x: bucket and object ARNs have no region or account "
         "(arn:aws:s3:::BUCKET/KEY)"),
        ("arn:aws:ec2:us-east-1:123456789012:instance/i-1",
         "error: --resource arn:aws:ec2:us-east-1:123456789012:instance/i-1: not an S3 bucket or object, nor a KMS "
         "key (service ec2)"),
        ("arn:aws:kms:us-east-1:123456789012:alias/mlteam-dev",
         "error: --resource arn:aws:kms:us-east-1:123456789012:alias/mlteam-dev: an alias; key policies are asked "
         "about the key itself"),
        ("arn:aws:kms:us-east-1:12345:key/abc",
         "error: --resource arn:aws:kms:us-east-1:12345:key/abc: the account id 12345 is not 12 digits (0-9)"),
        ("arn:aws:s3:::elsewhere/x", "error: --resource arn:aws:s3:::elsewhere/x: not a bucket, object or key of "
                                     "this stack"),
        ("arn:aws:s3:::mlteam-dev-rw/x", "error: --resource arn:aws:s3:::mlteam-dev-rw/x: not a bucket, object or "
                                         "key of this stack (did you mean mlteam-dev-raw?)"),
    ],
)
def test_bad_resource(capsys, resource, first_line):
    action = "kms:Decrypt" if ":kms:" in resource else "s3:GetObject"
    assert refused(capsys, action=action, resource=resource) == first_line


# --context -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("context", "first_line"),
    [
        (["novalue"], "error: --context novalue: expected KEY=VALUE"),
        (["=true"], "error: --context =true: expected KEY=VALUE"),
        (["aws:SecureTransprt=false"],
         "error: --context aws:SecureTransprt=false: unknown condition key (did you mean aws:SecureTransport?)"),
        (["s3:TlsVersoin=1.2"], "error: --context s3:TlsVersoin=1.2: unknown condition key (did you mean s3:TlsVersion?)"),
        (["aws:Foo=1"], "error: --context aws:Foo=1: unknown condition key"),
        (["ec2:Vpc=vpc-1"], "error: --context ec2:Vpc=vpc-1: unknown condition key"),
        (["aws:SecureTransport=yes"], "error: --context aws:SecureTransport=yes: aws:SecureTransport is true or false"),
        (["aws:ViaAWSService=1"], "error: --context aws:ViaAWSService=1: aws:ViaAWSService is true or false"),
        (["s3:TlsVersion=high"], "error: --context s3:TlsVersion=high: s3:TlsVersion is a number"),
        (["s3:TlsVersion=NaN"], "error: --context s3:TlsVersion=NaN: s3:TlsVersion is a number"),
        (["aws:SourceIp=10.0.0.0/8"], "error: --context aws:SourceIp=10.0.0.0/8: aws:SourceIp is one IP address "
                                      "(a request comes from one; ranges belong in policies)"),
        (["aws:SourceIp=10.0.0.300"], "error: --context aws:SourceIp=10.0.0.300: aws:SourceIp is one IP address "
                                      "(a request comes from one; ranges belong in policies)"),
        (["aws:CurrentTime=yesterday"],
         "error: --context aws:CurrentTime=yesterday: aws:CurrentTime is an ISO 8601 date or epoch seconds"),
        (["aws:PrincipalArn=etl"], "error: --context aws:PrincipalArn=etl: aws:PrincipalArn is an ARN "
                                   "(arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE)"),
        (["aws:RequestTag=ml"], "error: --context aws:RequestTag=ml: aws:RequestTag/${TagKey} needs its TagKey after "
                                "aws:RequestTag/"),
        (["aws:RequestTag/=ml"], "error: --context aws:RequestTag/=ml: aws:RequestTag/${TagKey} needs its TagKey "
                                 "after aws:RequestTag/"),
        (["s3:ExistingObjectTag/=x"], "error: --context s3:ExistingObjectTag/=x: s3:ExistingObjectTag/<key> needs "
                                      "its key after s3:ExistingObjectTag/"),
        (["aws:SecureTransport=true", "AWS:securetransport=false"],
         "error: --context AWS:securetransport=false: aws:SecureTransport is given twice, and a request holds one "
         "value of it"),
    ],
)
def test_bad_context(capsys, context, first_line):
    assert refused(capsys, context=context) == first_line


def test_context_keys_and_booleans_ignore_case(capsys):
    code, out, _ = ask(capsys, principal="administrator", context=["AWS:securetransport=FALSE"])
    assert code == 1
    assert "  decided by: bucket policy of mlteam-dev-raw, statement DenyInsecureTransport" in out.splitlines()


def test_numeric_context_is_still_read(capsys):
    code, out, _ = ask(capsys, context=["s3:TlsVersion=1.0"])
    assert code == 1
    assert "  decided by: bucket policy of mlteam-dev-raw, statement DenyOutdatedTls" in out.splitlines()


def test_valid_context_of_every_type_is_accepted(capsys):
    """Variable keys by their prefix, multivalued keys repeated, each type in its form: the reader is
    still allowed (no lake policy keys on these)."""
    code, out, err = ask(capsys, context=[
        "aws:RequestTag/team=ml", "s3:ExistingObjectTag/classification=internal", "kms:EncryptionContext:dept=ml",
        "aws:CalledVia=athena.amazonaws.com", "aws:CalledVia=glue.amazonaws.com", "aws:SourceIp=203.0.113.7",
        "aws:VpcSourceIp=2001:db8::1", "aws:CurrentTime=2026-01-31T12:00:00Z",
        "aws:EpochTime=1769860800", "aws:MultiFactorAuthAge=30", "aws:PrincipalArn=" + ROLE.replace("etl", "x"),
        "s3:prefix=", "aws:ViaAWSService=false",
    ])
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"ALLOWED: data reader -> s3:GetObject on {OBJECT}"


# --identity-policy -----------------------------------------------------------------------------

def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("list.json", json.dumps(WRITER["Statement"]), "policy: expected a policy document (an object), got a list"),
        ("scalar.json", '"s3:PutObject"', "policy: expected a policy document (an object), got 's3:PutObject'"),
        ("null.json", "null", "policy: expected a policy document (an object), got null"),
        ("effect.json", json.dumps({**WRITER, "Statement": [{**WRITER["Statement"][0], "Effect": "allow"}]}),
         "Statement[0].Effect: expected 'Allow' or 'Deny', got 'allow'"),
        ("principal.json", json.dumps({**WRITER, "Statement": [{**WRITER["Statement"][0], "Principal": "*"}]}),
         "Statement[0]: an identity policy names no Principal or NotPrincipal: it applies to the identity it is "
         "attached to"),
        ("no-version.json", json.dumps({"Statement": WRITER["Statement"]}), "policy: needs Version"),
        ("comma.json", '{\n  "Version": "2012-10-17"\n  "Statement": []\n}',
         "not JSON: Expecting ',' delimiter (line 3, column 3)"),
        ("empty.json", "", "not JSON: Expecting value (line 1, column 1)"),
        ("twice.json", '{"Version": "2012-10-17", "Version": "2008-10-17", "Statement": []}',
         "the key 'Version' appears twice in one object: which one counts is ambiguous"),
        ("nan.json", json.dumps(WRITER).replace('"s3:PutObject"', "NaN"), "NaN is not JSON"),
        ("deep.json", "[" * 5000 + "]" * 5000, f"nested deeper than {MAX_POLICY_DEPTH} levels at line 1, column 33"),
        ("quotes.json", json.dumps(WRITER).replace('"Write"', '"\u201cWrite\u201d"'),
         "character U+201C at line 1, column 50: IAM policies hold only tab, line breaks and U+0020 to U+00FF"),
        ("latin1.json", b'{"Version": "2012-10-17\xe9"}', "not UTF-8 text (byte 23)"),
        ("long.json", json.dumps({**WRITER, "Id": "x" * 10_240}),
         "10,386 characters without whitespace, more than IAM's 10,240 for any identity policy"),
        ("huge.json", " " * (1024 * 1024 + 1), "larger than 1 MiB, far beyond any policy IAM stores"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.endswith(".json") else "",
)
def test_bad_identity_policy(capsys, tmp_path, name, text, problem):
    path = _write(tmp_path, name, text)
    assert refused(capsys, principal=ROLE, policies=[path]) == f"error: --identity-policy {path}: {problem}"


def test_missing_identity_policy(capsys, tmp_path):
    path = tmp_path / "etl.json"
    assert refused(capsys, principal=ROLE, policies=[path]) == f"error: --identity-policy {path}: no such file"
    assert refused(capsys, principal=ROLE, policies=[tmp_path]) == \
        f"error: --identity-policy {tmp_path}: a directory, not a file"


def test_deep_nesting_is_not_a_recursion_error(capsys, tmp_path):
    """Far past Python's recursion limit, yet within IAM's 10,240 characters: a clean exit 2."""
    path = _write(tmp_path, "deep.json", '{"a":' * 1500 + "1" + "}" * 1500)
    assert refused(capsys, principal=ROLE, policies=[path]).startswith(
        f"error: --identity-policy {path}: nested deeper than {MAX_POLICY_DEPTH} levels")


def test_whitespace_does_not_count_against_the_quota(capsys, tmp_path):
    """IAM counts characters without whitespace: an indented policy near the quota is read."""
    policy = {**WRITER, "Id": "x" * 9_000}
    path = _write(tmp_path, "indented.json", json.dumps(policy, indent=40))
    code, out, _ = ask(capsys, principal=ROLE, action="s3:PutObject", policies=[path])
    assert code == 1
    assert out.splitlines()[0] == f"DENIED (no grant): {ROLE} -> s3:PutObject on {OBJECT}"
    assert "the lake key refuses" in out


def test_valid_identity_policy_is_still_read(capsys, tmp_path):
    path = _write(tmp_path, "writer.json", "\ufeff" + json.dumps(WRITER, indent=2))  # a BOM is an encoding detail
    code, out, _ = ask(capsys, principal=ROLE, action="s3:PutObject", policies=[path])
    assert code == 1  # S3 allows, but the role has no kms:GenerateDataKey: the key refuses
    assert out.splitlines()[0] == f"DENIED (no grant): {ROLE} -> s3:PutObject on {OBJECT}"
    assert "the lake key refuses" in out


# The catalogue ------------------------------------------------------------------------------------

def test_catalogue_is_what_parliament_gives():
    """Regenerated from the installed parliament, it is unchanged: run scripts/access_catalogue.py
    after upgrading parliament, and commit the catalogue."""
    assert CATALOGUE_PATH.read_text(encoding="utf-8") == access_catalogue.generate()


def test_catalogue_covers_both_services():
    actions = catalogue().actions
    assert sum(a.startswith("s3:") for a in actions) >= 150
    assert sum(a.startswith("kms:") for a in actions) >= 50
    assert catalogue().action("s3:getobject").resource_types == ("object",)
    assert catalogue().condition_key("AWS:SOURCEIP").name == "aws:SourceIp"


def _generated_documents():
    return [p.document for p in plan_policies("dev")] + [p.document for p in builder_policies()]


def test_every_action_of_the_lakes_policies_is_in_the_catalogue():
    """A canary for catalogue gaps: each S3 or KMS action the lake's policies name (dev plan and
    every document builder) is a known action, each wildcard covers at least one.

    Scoped to S3 and KMS on purpose: the query consumers' athena: and glue: actions act on a workgroup and
    on the Data Catalog, which `lake access` cannot be asked about (its resources are the stack's buckets,
    objects and key, and the evaluator decides S3 and KMS requests only). What a consumer gains through
    Athena is asked as an S3 request with `--context aws:CalledVia=athena.amazonaws.com`, whose key the
    next test requires."""
    known = [a.name for a in catalogue().actions.values()]
    unknown = set()
    for document in _generated_documents():
        for statement in statements(document):
            for action in as_list(statement.get("Action")) + as_list(statement.get("NotAction")):
                if not action.lower().startswith(("s3:", "kms:")):
                    continue
                if ("*" in action or "?" in action) and not any(action_matches(action, k) for k in known):
                    unknown.add(action)
                elif "*" not in action and "?" not in action and catalogue().action(action) is None:
                    unknown.add(action)
    assert unknown == set()


def test_every_condition_key_of_the_lakes_policies_is_in_the_catalogue():
    """So `--context` accepts every key the lake's own policies decide on."""
    keys = {key for document in _generated_documents() for statement in statements(document)
            for _, key, _ in conditions(statement) if key.startswith(("aws:", "s3:", "kms:"))}
    assert keys, "the lake's policies have conditions"
    assert {key for key in keys if catalogue().condition_key(key) is None} == set()
