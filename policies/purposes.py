"""What each role the lake declares is for: who may assume it, and what it may reach.

LAKE.14 (trust) and LAKE.10 (reach) judge a role against its purpose. A role the lake declares
for a purpose this table does not know fails both, so a later issue adding a role kind (a
consumer, a service role) must register it here first.

Today's one purpose is the Glue crawler: the role some ``Lake.crawlers[].role_arn`` names. In a
plan the role's ARN may be unknown, so a crawler also finds its role by the Pulumi dependency of
its ``role`` input (``Crawler.role_ref``) and by the role's name (Glue accepts a role name or
ARN, https://docs.aws.amazon.com/glue/latest/dg/aws-glue-api-crawler-crawling.html).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .model import UNKNOWN, Crawler, Lake, Role, Unknown, is_unknown
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


@dataclass(frozen=True)
class Purpose:
    """A role's purpose: its kind and what it may reach (a crawler: ``(bucket, prefix)`` pairs)."""

    kind: Kind
    targets: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        """``crawler of s3://b/images/``: how messages name the purpose."""
        return f"{self.kind.name} of {', '.join(f's3://{b}/{p}' for b, p in self.targets)}"

    def reads(self, bucket: str, key: str) -> bool:
        return any(bucket == b and key.startswith(p) for b, p in self.targets)

    def lists(self, bucket: str, prefix: str | None) -> bool:
        return prefix is not None and self.reads(bucket, prefix)

    def locates(self, bucket: str) -> bool:
        return any(bucket == b for b, _ in self.targets)


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


def purpose_or_verdict(role: Role, model: Lake) -> Purpose | Verdict:
    """The role's purpose, or the verdict every rule judging roles gives when there is none: a
    failure for a role declared for nothing the rules know, unknown while it cannot be told."""
    purpose = purpose_of(role, model)
    if purpose is None:
        return failed(no_purpose(role))
    if is_unknown(purpose):
        return unknown("which crawler uses the role cannot be known before deployment")
    return purpose
