"""What each role the lake declares is for: who may assume it, and what it may reach.

LAKE.14 (trust) and LAKE.10 (reach) judge a role against its purpose. A role the lake declares
for a purpose this table does not know fails both, so a later issue adding a role kind (a
consumer, a service role) must register it here first.

Two purposes. The Glue crawler: the role some ``Lake.crawlers[].role_arn`` names. In a plan the
role's ARN may be unknown, so a crawler also finds its role by the Pulumi dependency of its
``role`` input (``Crawler.role_ref``) and by the role's name (Glue accepts a role name or ARN,
https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-crawling.html). And the role the
lake creates for a service consumer (``datalake:consumers[].service``): the ``Consumer`` whose
``role_ref`` or ``principal_arn`` is the role's; it may do what its grants declare (``declared.py``).
A role tagged ``consumer`` whose consumer the model does not know (the policy pack, a live audit
without a plan) is judged unknown: its purpose exists, only its grants cannot be read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .declared import Declared, declared_of
from .model import UNKNOWN, Consumer, Crawler, Lake, Role, Unknown, is_unknown
from .rule import Verdict, failed, unknown


@dataclass(frozen=True)
class Kind:
    """A kind of role: the service principal that assumes it, and whether that service sets
    ``aws:SourceArn`` on AssumeRole (the trust policy must then pin it, besides the account)."""

    name: str
    service: str
    sets_source_arn: bool


# Glue documents no aws:SourceArn for the roles it assumes (the Glue developer guide has no
# "Cross-service confused deputy prevention" page; the IAM guide's confused-deputy page,
# https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html, asks for aws:SourceArn
# only where the service sets it): requiring it could break every crawl, so the account only.
CRAWLER = Kind("crawler", "glue.amazonaws.com", sets_source_arn=False)


def consumer_kind(service: str) -> Kind:
    """The kind of a consumer role: assumed by its service (``CONSUMER_SERVICES``), pinned to the
    lake's account. The lake's trust policy pins no aws:SourceArn (the issue-15 design): which
    SageMaker job, Lambda function or task will assume the role is not known when it is created."""
    return Kind("consumer", service, sets_source_arn=False)


@dataclass(frozen=True)
class Purpose:
    """A role's purpose: its kind and what it may reach (a crawler: ``(bucket, prefix)`` pairs)."""

    kind: Kind
    targets: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """``crawler of s3://b/images/``: how messages name the purpose."""
        return f"{self.kind.name} of {', '.join(f's3://{b}/{p}' for b, p in self.targets)}"

    def permits(self, action: str, bucket: str, key: str | None) -> bool:
        """May the role make this S3 request? ``key``: the object's key, a listing's ``s3:prefix``
        (None: without one), None for the other bucket actions. A crawler reads its targets."""
        if action in ("s3:GetObject", "s3:ListBucket"):
            return key is not None and any(bucket == b and key.startswith(p) for b, p in self.targets)
        return action == "s3:GetBucketLocation" and any(bucket == b for b, _ in self.targets)

    def permits_key(self, action: str) -> bool:
        """May the role use the lake key for ``action`` through S3? Every purpose reads its objects."""
        return action == "kms:Decrypt"


@dataclass(frozen=True)
class ConsumerPurpose(Purpose):
    """The role of a service consumer: what its grants declare, nothing more."""

    consumer: str = ""
    declared: Declared = Declared(())

    def describe(self) -> str:
        """``consumer training: read s3://b/*, write s3://c/features/``."""
        return f"consumer {self.consumer}: {self.declared.describe()}"

    def permits(self, action: str, bucket: str, key: str | None) -> bool:
        if action == "s3:ListBucket":
            return self.declared.lists(bucket, key)
        if action == "s3:GetBucketLocation":
            return self.declared.locates(bucket)
        return key is not None and self.declared.object_action(action, bucket, key)

    def permits_key(self, action: str) -> bool:
        return self.declared.uses_key(action, "s3")


def _target(path: object) -> tuple[str, str] | None:
    if not isinstance(path, str) or not path.startswith("s3://"):
        return None
    bucket, _, prefix = path.removeprefix("s3://").partition("/")
    return bucket, prefix


def uses(crawler: Crawler, role: Role) -> bool | Unknown:
    """Does ``crawler`` run as ``role``? By dependency, ARN or name; unknown when it cannot tell."""
    if crawler.role_ref is not None and crawler.role_ref == role.ref:
        return True
    named = crawler.role_arn
    if isinstance(named, str):
        return named in (role.arn, role.name) or (is_unknown(role.arn) and named.endswith(f"/{role.name}"))
    return UNKNOWN if is_unknown(named) and crawler.role_ref is None else False


def purpose_of(role: Role, model: Lake) -> Purpose | None | Unknown:
    """The role's purpose; None when the lake declares it for nothing the rules know."""
    links = [(c, uses(c, role)) for c in model.crawlers]
    crawlers = [c for c, used in links if used is True]
    if not crawlers:
        return UNKNOWN if any(is_unknown(used) for _, used in links) else None
    targets = _targets(crawlers)
    return UNKNOWN if targets is None else Purpose(CRAWLER, targets)


def _targets(crawlers: Iterable[Crawler]) -> tuple[tuple[str, str], ...] | None:
    paths = [p for c in crawlers for p in c.s3_paths]
    if any(is_unknown(p) for p in paths):
        return None
    return tuple(sorted({t for t in map(_target, paths) if t is not None}))


def no_purpose(role: Role) -> str:
    return f"the lake declares role {role.name} for no purpose the rules know"


def _consumer_of(role: Role, model: Lake) -> Consumer | None:
    """The service consumer the lake creates ``role`` for: by the Pulumi resource, or by ARN (live)."""
    by_arn = role.arn if isinstance(role.arn, str) else None
    return next((c for c in model.consumers if c.service is not None and (
        (c.role_ref is not None and c.role_ref == role.ref) or (by_arn is not None and by_arn == c.principal_arn)
    )), None)


def consumer_purpose(role: Role, model: Lake) -> ConsumerPurpose | Verdict | None:
    """A consumer role's purpose, unknown while its grants cannot be read; None: not a consumer role."""
    consumer = _consumer_of(role, model)
    tag = role.tags.get("consumer")
    if consumer is None and tag is None:
        return None
    if consumer is None:
        return unknown(f"role {role.name} is the role of consumer {tag}, whose grants this source cannot tell "
                       "(lake audit --against-plan or --stack-outputs knows them)")
    declared = declared_of(consumer, model)
    if isinstance(declared, str):
        return unknown(declared)
    return ConsumerPurpose(consumer_kind(str(consumer.service)), declared.targets, consumer.name, declared)


def purpose_or_verdict(role: Role, model: Lake) -> Purpose | Verdict:
    """The role's purpose, or the verdict every rule judging roles gives when there is none: a
    failure for a role declared for nothing the rules know, unknown while it cannot be told."""
    consumer = consumer_purpose(role, model)
    if consumer is not None:
        return consumer
    purpose = purpose_of(role, model)
    if purpose is None:
        return failed(no_purpose(role))
    if is_unknown(purpose):
        return unknown("which crawler uses the role cannot be known before deployment")
    return purpose
