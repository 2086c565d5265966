"""The network perimeter of a zone bucket: S3 requests come through the lake's VPC endpoint.

A deny keyed on the endpoint alone would lock everyone out, the deployer first (its
PutBucketPolicy does not come through the VPC). So the statement lets through:

- the policy-management actions (``NotAction``): whoever IAM allows can always read, fix or
  remove the bucket policy;
- the exempt principals (``aws:PrincipalArn``): administrators, the deployer, and the Glue
  crawlers' roles. Crawlers read S3 from Glue's network with their role's own credentials (not
  on a caller's behalf), so neither the endpoint nor ``aws:ViaAWSService`` covers them;
- AWS services acting for a principal (``aws:ViaAWSService``): Athena reading a table for a
  user in the VPC, Glue Data Catalog calls made with the caller's credentials;
- AWS service principals acting as themselves (``aws:PrincipalIsAWSService``), as in AWS's
  data-perimeter examples: the bucket policy allows them nothing, so this opens no access.

All keys of a condition must hold for the deny to apply: a request is refused when it comes
from outside the endpoints, by a principal not exempt, not through an AWS service.
"""

from __future__ import annotations

from dataclasses import dataclass

from .statements import Statement, bucket_and_objects

# Left open outside the perimeter, so that a wrong perimeter can always be fixed.
POLICY_MANAGEMENT_ACTIONS = ("s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy")


def service_linked_roles(partition: str, account_id: str) -> str:
    """ARN pattern of the account's service-linked roles (AWS Config, Access Analyzer, Macie...),
    which read buckets from their service's network. Only their service can assume them; AWS's
    data-perimeter examples exempt them, and a perimeter that does not blinds those services."""
    return f"arn:{partition}:iam::{account_id}:role/aws-service-role/*"


def check_perimeter(endpoint_ids: tuple[str, ...], exempt_principal_arns: tuple[str, ...]) -> None:
    """Refuse a perimeter that would lock the lake out: no endpoint, or nobody exempt."""
    if not endpoint_ids:
        raise ValueError("a perimeter needs at least one VPC endpoint id: without one it refuses every request")
    if not exempt_principal_arns:
        raise ValueError(
            "a perimeter needs at least one exempt principal (administrators, deployer): "
            "without one nobody outside the VPC can manage the lake's data"
        )


@dataclass(frozen=True)
class Perimeter:
    """Where zone buckets may be reached from, and who is exempt. Checked at construction."""

    endpoint_ids: tuple[str, ...]
    exempt_principal_arns: tuple[str, ...]

    def __post_init__(self) -> None:
        check_perimeter(self.endpoint_ids, self.exempt_principal_arns)


def deny_outside_endpoint(
    bucket_arn: str, endpoint_ids: tuple[str, ...], exempt_principal_arns: tuple[str, ...]
) -> Statement:
    check_perimeter(tuple(endpoint_ids), tuple(exempt_principal_arns))
    return {
        "Sid": "DenyOutsideLakeEndpoint",
        "Effect": "Deny",
        "Principal": "*",
        "NotAction": list(POLICY_MANAGEMENT_ACTIONS),
        "Resource": bucket_and_objects(bucket_arn),
        "Condition": {
            "StringNotEquals": {"aws:SourceVpce": sorted(endpoint_ids)},
            "ArnNotLike": {"aws:PrincipalArn": sorted(exempt_principal_arns)},
            "Bool": {"aws:ViaAWSService": "false", "aws:PrincipalIsAWSService": "false"},
        },
    }
