"""The representative principals of the matrix, and the identity policies it assumes for them.

The matrix shows what the lake's resource policies allow or refuse; identity policies belong to
the account, not to this program, so the matrix states its assumption for each principal.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.documents.grants import read_access

from ..declared import declared_of
from ..evaluator.request import Policy, Principal
from ..model import Consumer, Lake, Role, contains_unknown

FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Sid": "FullAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
EXTERNAL_ACCOUNTS = ("111122223333", "444455556666")


@dataclass(frozen=True)
class Actor:
    label: str  # "lake administrator"
    principal: Principal
    identity_policies: tuple[Policy, ...]
    assumption: str  # what the matrix assumes about the principal's own permissions
    # Where this principal works: bucket name -> key prefix (a crawler's dataset). Its object
    # requests in that bucket target its prefix; elsewhere the matrix's example key.
    prefixes: tuple[tuple[str, str], ...] = ()

    def prefix_in(self, bucket: str) -> str | None:
        return dict(self.prefixes).get(bucket)


def _external_account(lake_account: str) -> str:
    return next(a for a in EXTERNAL_ACCOUNTS if a != lake_account)


def _full_access(label: str, arn: str) -> Actor:
    return Actor(label, Principal.iam(arn), (Policy(f"identity policy of {label}", FULL_ACCESS),),
                 "identity policy allowing every action on every resource (AdministratorAccess)")


def representative_actors(model: Lake, region: str) -> list[Actor]:
    """Administrator and deployer (when configured), a data reader, the crawlers, the consumers,
    another account, anonymous."""
    account = str(model.account_id)
    actors = []
    if model.administrators:
        actors.append(_full_access("lake administrator", model.administrators[0]))
    if model.deployer:
        actors.append(_full_access("deployer", model.deployer))
    data_buckets = [b for b in model.buckets if b.is_data_bucket and isinstance(b.arn, str)]
    if isinstance(model.lake_key_arn, str) and data_buckets:
        reader = read_access([b.arn for b in data_buckets], model.lake_key_arn, region)
        actors.append(Actor(
            "data reader", Principal.iam(f"arn:aws:iam::{account}:role/lake-data-reader"),
            (Policy("identity policy of data reader", reader),),
            "the lake's read grant (components/documents/grants.py: list, get, kms:Decrypt through S3)",
        ))
    actors += crawler_actors(model)
    actors += consumer_actors(model)
    external = _external_account(account)
    actors.append(_full_access("another account", f"arn:aws:iam::{external}:role/external-admin"))
    actors.append(Actor("anonymous", Principal.anonymous(), (), "no credentials"))
    return actors


def _bucket_and_prefix(path: object) -> tuple[str, str] | None:
    if not isinstance(path, str) or not path.startswith("s3://"):
        return None
    bucket, _, prefix = path.removeprefix("s3://").partition("/")
    return bucket, prefix


def role_policies(role: Role) -> tuple[Policy, ...] | None:
    """The role's identity policies, inline then attached; None when one of them is not known."""
    inline = [(f"role policy of {role.name}", p) for p in role.policies]
    attached = [(f"policy {a.arn} attached to {role.name}", a.document) for a in role.attached]
    if not all(isinstance(d, dict) and not contains_unknown(d) for _, d in inline + attached):
        return None
    return tuple(Policy(name, document) for name, document in inline + attached)


def crawler_actors(model: Lake) -> list[Actor]:
    """Each crawler's role, with the role policies the stack declares for it (not an assumption)."""
    roles = {r.arn: r for r in model.roles if isinstance(r.arn, str)}
    actors = []
    for crawler in model.crawlers:
        role = roles.get(crawler.role_arn)
        policies = role_policies(role) if role is not None else None
        if policies is None:
            continue
        targets = tuple(t for t in map(_bucket_and_prefix, crawler.s3_paths) if t is not None)
        actors.append(Actor(f"crawler {crawler.name}", Principal.iam(crawler.role_arn), policies,
                            "its role policy as declared (components/documents/crawler_role.py)", targets))
    return actors


def consumer_actors(model: Lake) -> list[Actor]:
    """Each consumer the stack config declares, with the identity policies the lake gives it; one
    whose principal, policies or grants are not known yet is left out, as LAKE.16 reports it."""
    return [actor for actor in map(lambda c: consumer_actor(c, model), model.consumers) if actor is not None]


def consumer_actor(consumer: Consumer, model: Lake) -> Actor | None:
    declared = declared_of(consumer, model)
    documents = consumer.policies
    if isinstance(declared, str) or not isinstance(consumer.principal_arn, str) or not all(
            isinstance(d, dict) and not contains_unknown(d) for d in documents):
        return None
    # Its requests in a bucket target its first place there ("": the whole bucket).
    prefixes: dict[str, str] = {}
    for bucket, prefix in declared.targets:
        prefixes.setdefault(bucket, prefix)
    label = f"consumer {consumer.name}"
    assumption = ("the identity policy the lake exports for it, attached in its account" if consumer.kind == "external"
                  else "its policy as declared (components/documents/consumer_access.py)")
    return Actor(label, Principal.iam(consumer.principal_arn),
                 tuple(Policy(f"identity policy of {label}", d) for d in documents), assumption,
                 tuple(prefixes.items()))
