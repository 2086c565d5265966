"""A small Terraform plan JSON document shaped as `terraform show -json` writes it, for the tests of
scripts/scan_plan.py: a zone bucket with its split settings, a logs bucket, the lake key, the Glue
and Athena resources and a queue. scripts/plan_weakenings.py edits documents of this shape."""

from __future__ import annotations

import json

PROVIDER = "registry.terraform.io/hashicorp/aws"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TLS_DENY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::lake-raw", "arn:aws:s3:::lake-raw/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
KEY_POLICY = {"Sid": "Administrators", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
              "Action": "kms:*", "Resource": "*"}


def policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def on_bucket(values: dict) -> tuple[dict, dict]:
    """Values and expressions of a split setting of aws_s3_bucket.raw (its `bucket` is a reference)."""
    expressions = {"bucket": {"references": ["aws_s3_bucket.raw.id", "aws_s3_bucket.raw"]}}
    return {"bucket": "lake-raw", **values}, expressions


def logging_to_logs() -> tuple[dict, dict]:
    """aws_s3_bucket.raw's access logging: its target_bucket refers to the logs bucket, not to raw."""
    values, expressions = on_bucket({"target_bucket": "lake-logs", "target_prefix": "raw/"})
    return values, {**expressions, "target_bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]}}


RESOURCES = {
    "aws_s3_bucket.raw": ({"bucket": "lake-raw", "force_destroy": False, "tags": {"zone": "raw"}},
                          {"bucket": {"constant_value": "lake-raw"}}),
    "aws_s3_bucket_server_side_encryption_configuration.raw": on_bucket({"rule": [{
        "bucket_key_enabled": True,
        "apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}]}]}),
    "aws_s3_bucket_versioning.raw": on_bucket({"versioning_configuration": [{"status": "Enabled"}]}),
    "aws_s3_bucket_public_access_block.raw": on_bucket({
        "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
        "restrict_public_buckets": True}),
    "aws_s3_bucket.logs": ({"bucket": "lake-logs", "force_destroy": False},
                           {"bucket": {"constant_value": "lake-logs"}}),
    "aws_s3_bucket_logging.raw": logging_to_logs(),
    "aws_s3_bucket_lifecycle_configuration.raw": on_bucket({"rule": [{
        "id": "abort-incomplete-uploads", "status": "Enabled",
        "abort_incomplete_multipart_upload": [{"days_after_initiation": 7}]}]}),
    "aws_s3_bucket_policy.raw": on_bucket({"policy": policy(TLS_DENY)}),
    "aws_kms_key.lake": ({"enable_key_rotation": True, "deletion_window_in_days": 30, "policy": policy(KEY_POLICY)},
                         {}),
    "aws_glue_security_configuration.lake": ({"name": "lake", "encryption_configuration": [{
        "cloudwatch_encryption": [{"cloudwatch_encryption_mode": "SSE-KMS", "kms_key_arn": KEY}],
        "job_bookmarks_encryption": [{"job_bookmarks_encryption_mode": "CSE-KMS", "kms_key_arn": KEY}],
        "s3_encryption": [{"s3_encryption_mode": "SSE-KMS", "kms_key_arn": KEY}]}]}, {}),
    "aws_glue_crawler.images": ({"name": "images", "security_configuration": "lake", "database_name": "raw"},
                                {"security_configuration": {"references": [
                                    "aws_glue_security_configuration.lake.name",
                                    "aws_glue_security_configuration.lake"]}}),
    "aws_glue_data_catalog_encryption_settings.lake": ({"data_catalog_encryption_settings": [{
        "encryption_at_rest": [{"catalog_encryption_mode": "SSE-KMS", "sse_aws_kms_key_id": KEY}],
        "connection_password_encryption": [{"return_connection_password_encrypted": True,
                                            "aws_kms_key_id": KEY}]}]}, {}),
    "aws_athena_workgroup.lake": ({"name": "lake", "configuration": [{
        "enforce_workgroup_configuration": True,
        "result_configuration": [{"output_location": "s3://lake-results/",
                                  "encryption_configuration": [{"encryption_option": "SSE_KMS",
                                                                "kms_key_arn": KEY}]}]}]}, {}),
    "aws_sqs_queue.events": ({"name": "events", "kms_master_key_id": KEY, "sqs_managed_sse_enabled": False},
                             {"kms_master_key_id": {"references": ["aws_kms_key.lake.arn", "aws_kms_key.lake"]}}),
}


def resource(address: str, values: dict) -> dict:
    tf_type, name = address.split(".")
    return {"address": address, "mode": "managed", "type": tf_type, "name": name, "provider_name": PROVIDER,
            "schema_version": 0, "values": values}


def configuration(address: str, expressions: dict) -> dict:
    tf_type, name = address.split(".")
    return {"address": address, "mode": "managed", "type": tf_type, "name": name, "provider_config_key": "aws",
            "expressions": expressions}


def change(address: str, values: dict) -> dict:
    tf_type, name = address.split(".")
    return {"address": address, "mode": "managed", "type": tf_type, "name": name, "provider_name": PROVIDER,
            "change": {"actions": ["create"], "before": None, "after": json.loads(json.dumps(values)),
                       "after_unknown": {"id": True, "arn": True}}}


def tiny_document() -> dict:
    """A fresh copy each call: the tests and the weakenings edit it in place."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "planned_values": {"root_module": {"resources": [resource(a, v) for a, (v, _) in RESOURCES.items()]}},
        "resource_changes": [change(a, v) for a, (v, _) in RESOURCES.items()],
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "full_name": PROVIDER}},
            "root_module": {"resources": [configuration(a, e) for a, (_, e) in RESOURCES.items()]},
        },
    }
