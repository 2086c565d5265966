"""Reading bucket and key policies for the rules: named statements, what they deny, what is unknown.

``iam.statements`` drops anything that is not a dict, so an unknown statement list (a policy
built from an ARN during ``pulumi preview``) would read as an empty policy and pass. Here an
unknown document or statement reads as UNKNOWN, and a statement with an unknown part that could
change the answer is "undecided": the rule then reports unknown instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..iam import Statement, as_list, conditions, covers_action, covers_resource, principals, resource_matches, statements
from ..model import UNKNOWN, Bucket, Unknown, contains_unknown, is_unknown
from ..rule import Status, Verdict, failed, passed, unknown

Named = tuple[str, Statement]

# Three actions from three families (object read, object write, bucket administration): a
# statement covering all of them is s3:* or equivalent.
EVERY_S3_ACTION = ("s3:GetObject", "s3:PutObject", "s3:PutBucketPolicy")
# Parts of a statement that decide whether an Allow grants anything to anyone. Resources and
# condition values do not: a restricting condition key restricts whatever its value.
_GRANT_PARTS = ("Effect", "Principal", "NotPrincipal", "Action", "NotAction")


def named_statements(policy: Any) -> list[Named] | Unknown:
    """``(name, statement)`` pairs, named by Sid; ``[]`` without a policy; UNKNOWN if unreadable."""
    if policy is None:
        return []
    if is_unknown(policy) or is_unknown(policy.get("Statement")):
        return UNKNOWN
    if any(is_unknown(s) for s in as_list(policy.get("Statement"))):
        return UNKNOWN
    return [(_name(s, i), s) for i, s in enumerate(statements(policy))]


def _name(statement: Statement, index: int) -> str:
    sid = statement.get("Sid")
    return sid if isinstance(sid, str) and sid else f"#{index + 1} (no Sid)"


def names(named: Iterable[Named]) -> str:
    """``statement A`` or ``statements A, B``: how messages point at the statements at fault."""
    found = [name for name, _ in named]
    return f"statement{'s' if len(found) > 1 else ''} {', '.join(found)}"


def grant_undecided(statement: Statement) -> bool:
    """An unknown part could turn this statement into a grant, or change who it grants to."""
    condition = statement.get("Condition")
    blocks = condition.values() if isinstance(condition, dict) else [condition]
    return contains_unknown([statement.get(part) for part in _GRANT_PARTS]) or any(
        block is not None and not isinstance(block, dict) for block in blocks
    )


def deny_undecided(statement: Statement, actions: Iterable[str]) -> bool:
    """An unknown part leaves open whether this statement denies ``actions`` to everyone, where."""
    if not contains_unknown(statement):
        return False
    effect = statement.get("Effect")
    if not is_unknown(effect) and effect != "Deny":
        return False
    if contains_unknown([statement.get("Action"), statement.get("NotAction")]):
        return True
    return all(covers_action(statement, action) for action in actions)


def denies_everyone(statement: Statement, actions: Iterable[str]) -> bool:
    """A Deny on every one of ``actions`` for every caller, without NotPrincipal exemptions.

    ``iam.is_anyone`` counts NotPrincipal as anyone, which is right for an Allow; for a Deny it
    means "everyone except", which is an exemption, not a rule for everyone.
    """
    return (
        statement.get("Effect") == "Deny"
        and "NotPrincipal" not in statement
        and "*" in principals(statement)
        and all(covers_action(statement, action) for action in actions)
    )


def only_condition(statement: Statement) -> tuple[str, str, list[Any]] | None:
    """The ``(operator, key, values)`` of a statement with exactly one condition, else None.

    A second condition narrows a Deny (conditions are ANDed), so it no longer denies every
    request the first one describes.
    """
    found = conditions(statement)
    return found[0] if len(found) == 1 else None


def flag(value: Any) -> str:
    """A Bool or Null condition value as IAM reads it: ``false``, ``"false"`` and ``"False"`` alike."""
    return str(value).lower()


def combine(verdicts: Iterable[Verdict], passing: str) -> Verdict:
    """Failures first (all of them, in one message), then unknowns, else the pass message."""
    verdicts = list(verdicts)
    for status in (Status.FAIL, Status.UNKNOWN):
        messages = [message for s, message in verdicts if s is status]
        if messages:
            return status, "; ".join(messages)
    return passed(passing)


def undecided_verdict(undecided: list[Named]) -> Verdict:
    return unknown(f"{names(undecided)} cannot be known before deployment")


def judge_request_deny(
    bucket: Bucket,
    requests: str,
    matches: Callable[[Statement], bool],
    explain_miss: Callable[[list[Named]], str | None] = lambda others: None,
) -> Verdict:
    """The policy denies s3:* to anyone for ``requests`` (described for the messages), on the bucket
    and on its objects, in statements whose condition ``matches`` accepts (S3.5, LAKE.1).

    Statements may share the work (one on the bucket, one on the objects). ``explain_miss``
    turns the near misses (deny-everything statements whose condition ``matches`` refused) into
    a more precise failure than "no statement".
    """
    requirement = f"s3:* to anyone for {requests}"
    if bucket.policy is None:
        return failed(f"the bucket has no policy, so nothing denies {requirement}")
    named = named_statements(bucket.policy)
    if is_unknown(named):
        return unknown("the bucket policy cannot be known before deployment")
    if is_unknown(bucket.arn):
        return unknown("the bucket ARN cannot be known before deployment")
    undecided = [(n, s) for n, s in named if deny_undecided(s, EVERY_S3_ACTION)]
    known = [(n, s) for n, s in named if not contains_unknown(s) and denies_everyone(s, EVERY_S3_ACTION)]
    matching = [(n, s) for n, s in known if matches(s)]
    on_bucket = [(n, s) for n, s in matching if covers_resource(s, bucket.arn)]
    on_objects = [(n, s) for n, s in matching if covers_resource(s, f"{bucket.arn}/*")]
    if on_bucket and on_objects:
        both = on_bucket + [x for x in on_objects if x not in on_bucket]
        return passed(f"the policy denies {requirement} on the bucket and its objects ({names(both)})")
    if undecided:
        return undecided_verdict(undecided)
    if on_objects:
        return failed(f"the policy denies {requirement} on the objects ({bucket.arn}/*) only "
                      f"({names(on_objects)}), not on the bucket itself ({bucket.arn})")
    if on_bucket:
        return failed(f"the policy denies {requirement} on the bucket itself ({bucket.arn}) only "
                      f"({names(on_bucket)}), not on its objects ({bucket.arn}/*)")
    others = [(n, s) for n, s in known if not matches(s)]
    return failed(explain_miss(others) or f"no statement denies {requirement} on this bucket and its objects")


# A bucket and an object no policy names: a resource pattern matching them matches every bucket.
_ANY_BUCKET = "arn:{partition}:s3:::any-bucket-of-any-account"


def every_bucket_resources(statement: Statement, partition: object) -> list[str]:
    """The resources of ``statement`` that match every bucket or every object ("*",
    "arn:aws:s3:::*", "arn:aws:s3:::*/*"), as messages name them; ``[]`` when there is none."""
    bucket = _ANY_BUCKET.format(partition=partition if isinstance(partition, str) else "aws")
    targets = (bucket, f"{bucket}/any-key")
    if "NotResource" in statement:
        excluded = ", ".join(map(str, as_list(statement["NotResource"])))
        return [f"every resource but {excluded}"] if any(covers_resource(statement, t) for t in targets) else []
    return [r for r in as_list(statement.get("Resource"))
            if isinstance(r, str) and any(resource_matches(r, t) for t in targets)]
