"""Names the documents are written with: service endpoints as KMS sees them, and ARN patterns
shared by an identity policy and the resource policy that must agree with it."""

from __future__ import annotations

# Log groups of Glue crawlers: "/aws-glue/crawlers" without a security configuration, and
# "/aws-glue/crawlers-role/<role>-<security configuration>" with one (the lake's crawlers have one).
CRAWLER_LOG_GROUPS = "/aws-glue/crawlers*"


def regional_service(service: str, region: str) -> str:
    """``s3.eu-west-1.amazonaws.com``: how ``kms:ViaService`` names a service of a region."""
    return f"{service}.{region}.amazonaws.com"


def log_group_arn(partition: str, region: str, account_id: str, name: str) -> str:
    """ARN (or ARN pattern) of a CloudWatch Logs log group; ``*`` in ``name`` also matches its
    streams (``...:log-group:<name>:log-stream:<stream>``)."""
    return f"arn:{partition}:logs:{region}:{account_id}:log-group:{name}"
