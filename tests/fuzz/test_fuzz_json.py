"""Fuzz: random JSON files to every reader of JSON a user hands `lake`, each either accepted or
refused with the reader's own error (exit 2 through lake/cli.py), never another exception; and
what a reader accepts must then be usable by the code that reads it next.

- ``--against-plan`` (lake.inputs.plan_file, lake.audit.load_plan): an accepted plan must become
  a model (policies/adapters/plan.py lake_from_plan), its drift from a live lake must be
  computed, and the audit reports (text, markdown, JSON) must render it;
- ``--stack-outputs`` (lake.inputs.stack_outputs): accepted outputs must select buckets for
  `lake audit` and name a bucket (or refuse the zone) for `lake data`;
- ``--identity-policy`` (policies/access/inputs.py): an accepted policy must be usable in a
  question the evaluator answers;
- policy documents as AWS returns them to the live audit (policies/adapters/live: bucket, key,
  endpoint, queue and role policies all go through ``parse_policy``).

Random JSON rarely gets past a reader's first check, so each reader also gets real documents
(the dev stack's plan, its outputs, a valid identity policy) with a few values replaced or
removed at random depths.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lake.audit import Audit, AuditError, audit_document, load_plan
from lake.errors import InputError
from lake.inputs import stack_outputs
from lake.report.audit import render_audit_markdown, render_audit_text
from policies.access.inputs import QuestionError, load_identity_policy
from policies.adapters.live.read import LiveRead
from policies.adapters.live.selection import SelectionError, Selection, from_outputs, load_outputs
from policies.adapters.plan import lake_from_plan
from policies.adapters.resources import parse_policy
from policies.drift import drift
from policies.model import is_unknown
from tests.fuzz import strategies as gen
from tests.fuzz.support import fuzz_settings
from tests.support import REPO

pytestmark = pytest.mark.usefixtures("warm")

VALID_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::mlteam-dev-raw", "arn:aws:s3:::mlteam-dev-raw/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "true"}, "StringLike": {"s3:prefix": ["images/*"]}}},
    {"Effect": "Deny", "NotAction": "kms:Decrypt", "Resource": "*"},
]}


@functools.cache
def dev_plan() -> dict[str, Any]:
    """The dev stack's plan document, as `lake plan --format json` writes it (once a session)."""
    from lake.plan.render import plan_document
    from lake.plan.runner import plan_stack

    return json.loads(json.dumps(plan_document(plan_stack(REPO, "dev"))))


@functools.cache
def small_plan() -> dict[str, Any]:
    """The dev plan with one resource of each type: what the mutations start from (a failing
    example then prints in a screenful, not in 500 kB)."""
    plan, seen = dev_plan(), set()
    kept = [r for r in plan["resources"] if r["type"] not in seen and not seen.add(r["type"])]
    return {**plan, "resources": kept, "settings": plan["settings"], "summary": {}}


@functools.cache
def dev_model():
    return lake_from_plan(dev_plan())


@functools.cache
def dev_outputs() -> dict[str, Any]:
    return dev_plan()["outputs"]


@pytest.fixture(scope="module")
def warm() -> None:
    """The plan is computed before the first example, so no example pays for it (deadlines)."""
    dev_model()


def write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return path


def documents(example: Any) -> st.SearchStrategy[bytes]:
    """Random JSON, or ``example`` with random values, as a file's bytes."""
    mutated = gen.json_objects_like(example).map(lambda document: json.dumps(document, indent=1))
    return st.one_of(gen.json_bytes, gen.as_bytes(mutated), gen.as_bytes(mutated))


# --- --against-plan --------------------------------------------------------------------------------

def against_plan(path: Path) -> None:
    """`lake audit --against-plan PATH` after the live read: the drift, and the reports of it."""
    try:
        plan = load_plan(path)
    except AuditError as error:
        assert len(str(error).splitlines()) == 1
        return
    planned = lake_from_plan(plan)  # accepted by load_plan: must be a plan the adapter reads
    live = dev_model()
    differences = drift(planned, live)
    audit = Audit(LiveRead(live, Counter({"GetBucketPolicy": 1}), 1), [], differences, 0.5)
    render_audit_text(audit, path.name)
    render_audit_markdown(audit, path.name)
    json.dumps(audit_document(audit, {"stackOutputs": None, "buckets": [], "tag": None, "prefix": None}))


@fuzz_settings(examples=150, deadline_seconds=10)
@given(data=st.data())
def test_any_plan_file_is_refused_or_audited_against(tmp_path: Path, data: st.DataObject):
    against_plan(write(tmp_path, "plan.json", data.draw(documents(small_plan()))))


def test_a_plan_the_adapter_cannot_read_is_refused_when_read(tmp_path: Path):
    """Found by the fuzzing: plan_file took any document with the three envelope keys, and the
    audit failed with a KeyError (exit 3) only after reading the whole account."""
    for document in ({"formatVersion": 1, "resources": [], "environment": {}},
                     {**small_plan(), "settings": {}}, {**small_plan(), "resources": [{"custom": True}]},
                     {**small_plan(), "resources": [7]}):
        with pytest.raises(AuditError, match="not a plan document lake can read"):
            load_plan(write(tmp_path, "plan.json", json.dumps(document)))


# --- --stack-outputs -------------------------------------------------------------------------------

@fuzz_settings(examples=150, deadline_seconds=10)
@given(data=st.data(), zone=st.sampled_from(["raw", "processed", "curated", "logs", "", "zoneBuckets", "Raw"]))
def test_any_stack_outputs_file_is_refused_or_selects_buckets(tmp_path: Path, data: st.DataObject, zone: str):
    from lake.data import LakeClient, UsageError

    path = write(tmp_path, "outputs.json", data.draw(documents(dev_outputs())))
    try:
        outputs = stack_outputs(str(path)).document
    except InputError as error:
        assert len(str(error).splitlines()) == 1
        return
    chosen = from_outputs(Selection(outputs=outputs).outputs)  # `lake audit --stack-outputs`
    assert all(isinstance(c.name, str) for c in chosen)
    try:  # `lake data --stack-outputs --zone`: the client is made without a request
        LakeClient.from_stack_outputs(outputs, zone, region="us-east-1", endpoint_url="http://127.0.0.1:9")
    except UsageError as error:
        assert len(error.message.splitlines()) == 1, error.message


def test_zone_names_with_line_breaks_stay_on_the_error_line(tmp_path: Path):
    """Found by the fuzzing: a zone named "\\r" in the outputs split the error line in two."""
    from lake.data import LakeClient, UsageError

    path = write(tmp_path, "outputs.json", json.dumps({"zoneBuckets": {"\r": None}}))
    with pytest.raises(InputError) as refused:
        stack_outputs(str(path))
    assert len(str(refused.value).splitlines()) == 1
    with pytest.raises(UsageError) as refused_zone:
        LakeClient.from_stack_outputs({"zoneBuckets": {"a\nb": "mlteam-dev-raw"}}, "raw", region="us-east-1")
    assert len(refused_zone.value.message.splitlines()) == 1


@fuzz_settings(examples=100, deadline_seconds=10)
@given(document=documents({"zoneBuckets": {"raw": {"name": "mlteam-dev-raw"}}, "keyArn": "arn:aws:kms:x"}))
def test_any_outputs_file_of_the_library_is_refused_or_read(tmp_path: Path, document: bytes):
    """LakeClient.from_stack_outputs(path): the library's own reader of outputs files."""
    try:
        outputs = load_outputs(write(tmp_path, "outputs.json", document))
    except SelectionError as error:
        assert len(str(error).splitlines()) >= 1
        return
    assert isinstance(outputs["zoneBuckets"], dict)


# --- --identity-policy -----------------------------------------------------------------------------

@fuzz_settings(examples=150, deadline_seconds=10)
@given(document=documents(VALID_POLICY))
@example(document=b'{"Version": "2012-10-17", "Statement": [], "Sid": 1' + b"0" * 5000 + b"}")  # found: ValueError
def test_any_identity_policy_file_is_refused_or_evaluated(tmp_path: Path, document: bytes):
    from policies.access.question import ask, resolve_actor
    from policies.evaluator.request import Policy

    path = write(tmp_path, "policy.json", document)
    try:
        policy = load_identity_policy(path)
    except QuestionError as error:
        assert len(str(error).splitlines()) == 1
        return
    actor = resolve_actor(dev_model(), "arn:aws:iam::123456789012:role/etl", (Policy("identity policy", policy),))
    for action, resource in (("s3:GetObject", "arn:aws:s3:::mlteam-dev-raw/images/a.png"),
                             ("s3:ListBucket", "arn:aws:s3:::mlteam-dev-raw")):
        ask(dev_model(), actor, action, resource, {"aws:SecureTransport": "true"})


# --- policy documents as AWS returns them ------------------------------------------------------------

@fuzz_settings(examples=200, deadline_seconds=10)
@given(text=gen.json_texts | st.builds(json.dumps, gen.json_objects_like(VALID_POLICY)))
@example(text="[" * 100_000 + "]" * 100_000)  # found: RecursionError
def test_any_policy_text_from_aws_parses_to_a_document_or_nothing(text: str):
    """GetBucketPolicy, GetKeyPolicy, DescribeVpcEndpoints, GetQueueAttributes, GetRole... all
    hand their policy text to parse_policy, which must return a document (a dict), never raise."""
    from policies.adapters.live.buckets import POLICY

    parsed = parse_policy(text)
    assert parsed is None or is_unknown(parsed) or isinstance(parsed, dict)
    assert POLICY.parse({"Policy": text}) == parsed
