"""The weakened copies of a Terraform plan JSON document that scripts/scan_plan.py hands to checkov.

Each weakening edits a deep copy of the document as a careless change would (a split bucket setting
removed, a flag turned off, a statement opened to everyone) and names the checkov checks that must
then fail, as (check id, resource address) pairs. The helpers edit the three views Terraform keeps
of each resource consistently: planned_values, resource_changes[].change.after, configuration.
Pure: no checkov, no lake; tests/test_scan_plan.py checks that each does what it says.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass

Expected = tuple[tuple[str, str], ...]  # (check id, resource address) pairs


class WeakeningError(Exception):
    """The document lacks what a weakening edits (for example no aws_glue_crawler)."""


# The Terraform plan document: small pure helpers over its three views of each resource.

def planned(document: dict) -> list[dict]:
    return document["planned_values"]["root_module"]["resources"]


def configured(document: dict) -> list[dict]:
    return document.get("configuration", {}).get("root_module", {}).get("resources", [])


def of_type(document: dict, tf_type: str) -> list[dict]:
    return sorted((r for r in planned(document) if r["type"] == tf_type), key=lambda r: r["address"])


def configuration_of(document: dict, address: str) -> dict:
    return next((r for r in configured(document) if r.get("address") == address), {})


def refers_to_bucket(document: dict, resource: dict, bucket: str) -> bool:
    """Whether ``resource``'s ``bucket`` argument is a reference to ``bucket`` (an address), as
    `aws_s3_bucket.raw.id` is: other arguments (a logging resource's ``target_bucket``) do not count."""
    expression = configuration_of(document, resource["address"]).get("expressions", {}).get("bucket", {})
    return any(ref == bucket or ref.startswith(bucket + ".") for ref in expression.get("references", []))


def attached(document: dict, tf_type: str, bucket: str) -> dict | None:
    """The ``tf_type`` resource (a split bucket setting) whose ``bucket`` refers to ``bucket``."""
    return next((r for r in of_type(document, tf_type) if refers_to_bucket(document, r, bucket)), None)


def first(document: dict, tf_type: str) -> dict:
    found = of_type(document, tf_type)
    if not found:
        raise WeakeningError(f"the document has no {tf_type}")
    return found[0]


def bucket_with(document: dict, tf_type: str) -> tuple[str, dict]:
    """The first bucket (by address) that has a ``tf_type`` resource attached, and that resource."""
    for bucket in of_type(document, "aws_s3_bucket"):
        setting = attached(document, tf_type, bucket["address"])
        if setting is not None:
            return bucket["address"], setting
    raise WeakeningError(f"no aws_s3_bucket has an {tf_type} referring to it")


def edit_values(document: dict, address: str, edit: Callable[[dict], None]) -> None:
    """Apply ``edit`` to the resource's planned values and to its resource_changes ``after``."""
    for resource in planned(document):
        if resource["address"] == address:
            edit(resource["values"])
    for change in document.get("resource_changes", []):
        if change["address"] == address and change["change"].get("after") is not None:
            edit(change["change"]["after"])


def set_top(document: dict, address: str, **settings) -> None:
    """Set top-level attributes (None drops them) in the values, and drop their configuration expressions:
    checkov puts a configuration reference in place of an attribute the values lack (plan_parser.py
    ``_add_references``), so a setting removed from the values alone would still be there for it."""
    def apply(values: dict) -> None:
        for name, value in settings.items():
            if value is None:
                values.pop(name, None)
            else:
                values[name] = value
    edit_values(document, address, apply)
    expressions = configuration_of(document, address).get("expressions", {})
    for name in settings:
        expressions.pop(name, None)


def remove(document: dict, address: str) -> None:
    """Drop a resource from planned_values, resource_changes and configuration."""
    document["planned_values"]["root_module"]["resources"] = [r for r in planned(document) if r["address"] != address]
    if "resource_changes" in document:
        document["resource_changes"] = [c for c in document["resource_changes"] if c["address"] != address]
    module = document.get("configuration", {}).get("root_module")
    if module and "resources" in module:
        module["resources"] = [r for r in module["resources"] if r.get("address") != address]


def add_statement(values: dict, statement: dict) -> None:
    """Append a statement to the JSON string policy Terraform writes (``values["policy"]``)."""
    policy = json.loads(values["policy"])
    policy["Statement"] = [*policy.get("Statement", []), statement]
    values["policy"] = json.dumps(policy)


# The weakened copies. Each edits a copy of the document and returns the checks it must raise.

def bucket_without_encryption(document: dict) -> Expected:
    bucket, setting = bucket_with(document, "aws_s3_bucket_server_side_encryption_configuration")
    remove(document, setting["address"])
    return (("CKV_AWS_145", bucket),)


def bucket_encrypted_with_s3_keys(document: dict) -> Expected:
    bucket, setting = bucket_with(document, "aws_s3_bucket_server_side_encryption_configuration")

    def sse_s3(defaults: dict, algorithm: object) -> None:
        defaults.pop("kms_master_key_id", None)
        defaults["sse_algorithm"] = algorithm
    edit_values(document, setting["address"], lambda values: each_default(values, lambda d: sse_s3(d, "AES256")))
    expressions = configuration_of(document, setting["address"]).get("expressions", {})
    each_default(expressions, lambda d: sse_s3(d, {"constant_value": "AES256"}))
    return (("CKV_AWS_145", bucket),)


def each_default(block: dict, edit: Callable[[dict], None]) -> None:
    """``edit`` each rule[].apply_server_side_encryption_by_default[] (values or configuration expressions)."""
    for rule in block.get("rule", []):
        for defaults in rule.get("apply_server_side_encryption_by_default", []):
            edit(defaults)


def versioning_suspended(document: dict) -> Expected:
    bucket, setting = bucket_with(document, "aws_s3_bucket_versioning")

    def suspend(values: dict) -> None:
        for configuration in values["versioning_configuration"]:
            configuration["status"] = "Suspended"
    edit_values(document, setting["address"], suspend)
    return (("CKV_AWS_21", bucket),)


BLOCK_PUBLIC_ACCESS = {"block_public_acls": "CKV_AWS_53", "block_public_policy": "CKV_AWS_54",
                       "ignore_public_acls": "CKV_AWS_55", "restrict_public_buckets": "CKV_AWS_56"}


def public_access_block_off(document: dict) -> Expected:
    bucket, setting = bucket_with(document, "aws_s3_bucket_public_access_block")
    set_top(document, setting["address"], **dict.fromkeys(BLOCK_PUBLIC_ACCESS, False))
    return (*((check, setting["address"]) for check in BLOCK_PUBLIC_ACCESS.values()), ("CKV2_AWS_6", bucket))


def bucket_without_access_logging(document: dict) -> Expected:
    bucket, setting = bucket_with(document, "aws_s3_bucket_logging")
    remove(document, setting["address"])
    return (("CKV_AWS_18", bucket),)


def bucket_without_lifecycle(document: dict) -> Expected:
    bucket, setting = bucket_with(document, "aws_s3_bucket_lifecycle_configuration")
    remove(document, setting["address"])
    return (("CKV2_AWS_61", bucket),)


def bucket_policy_allows_anyone(document: dict) -> Expected:
    policy = first(document, "aws_s3_bucket_policy")
    anyone = {"Sid": "WeakenedAnyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
              "Resource": "*"}
    edit_values(document, policy["address"], lambda values: add_statement(values, anyone))
    return (("CKV_AWS_70", policy["address"]),)


def bucket_policy_without_tls_deny(document: dict) -> Expected:
    policy = first(document, "aws_s3_bucket_policy")

    def drop_tls(values: dict) -> None:
        parsed = json.loads(values["policy"])
        parsed["Statement"] = [s for s in parsed["Statement"] if "aws:SecureTransport" not in json.dumps(s)]
        values["policy"] = json.dumps(parsed)
    edit_values(document, policy["address"], drop_tls)
    return ()


def key_without_rotation(document: dict) -> Expected:
    key = first(document, "aws_kms_key")
    set_top(document, key["address"], enable_key_rotation=False)
    return (("CKV_AWS_7", key["address"]),)


def key_policy_allows_anyone(document: dict) -> Expected:
    key = first(document, "aws_kms_key")
    anyone = {"Sid": "WeakenedAnyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
              "Resource": "*"}
    edit_values(document, key["address"], lambda values: add_statement(values, anyone))
    return (("CKV_AWS_33", key["address"]),)


def crawler_without_security_configuration(document: dict) -> Expected:
    crawler = first(document, "aws_glue_crawler")
    set_top(document, crawler["address"], security_configuration=None)
    return (("CKV_AWS_195", crawler["address"]),)


def glue_security_configuration_unencrypted(document: dict) -> Expected:
    configuration = first(document, "aws_glue_security_configuration")

    def disable_s3(values: dict) -> None:
        for encryption in values["encryption_configuration"]:
            encryption["s3_encryption"] = [{"s3_encryption_mode": "DISABLED", "kms_key_arn": ""}]
    edit_values(document, configuration["address"], disable_s3)
    return (("CKV_AWS_99", configuration["address"]),)


def catalog_unencrypted(document: dict) -> Expected:
    settings = first(document, "aws_glue_data_catalog_encryption_settings")

    def disable(values: dict) -> None:
        for catalog in values["data_catalog_encryption_settings"]:
            catalog["encryption_at_rest"] = [{"catalog_encryption_mode": "DISABLED", "sse_aws_kms_key_id": ""}]
    edit_values(document, settings["address"], disable)
    return (("CKV_AWS_94", settings["address"]),)


def workgroup_unencrypted_and_overridable(document: dict) -> Expected:
    workgroup = first(document, "aws_athena_workgroup")

    def weaken(values: dict) -> None:
        for configuration in values["configuration"]:
            configuration["enforce_workgroup_configuration"] = False
            for result in configuration.get("result_configuration", []):
                result.pop("encryption_configuration", None)
    edit_values(document, workgroup["address"], weaken)
    return (("CKV_AWS_159", workgroup["address"]), ("CKV_AWS_82", workgroup["address"]))


def queue_unencrypted(document: dict) -> Expected:
    queue = first(document, "aws_sqs_queue")
    set_top(document, queue["address"], kms_master_key_id=None, sqs_managed_sse_enabled=False)
    return (("CKV_AWS_27", queue["address"]),)


@dataclass(frozen=True)
class Weakening:
    name: str
    what: str
    apply: Callable[[dict], Expected]
    blind_spot: str = ""  # why checkov cannot see it, for a weakening that names no check


WEAKENINGS = (
    Weakening("bucket-without-encryption", "a zone bucket's SSE-KMS resource removed", bucket_without_encryption),
    Weakening("bucket-sse-s3", "a bucket's default encryption AES256 instead of the lake key",
              bucket_encrypted_with_s3_keys),
    Weakening("versioning-suspended", "a bucket's versioning Suspended", versioning_suspended),
    Weakening("public-access-block-off", "a bucket's four Block Public Access flags false", public_access_block_off),
    Weakening("bucket-without-logging", "a bucket's access logging resource removed", bucket_without_access_logging),
    Weakening("bucket-without-lifecycle", "a bucket's lifecycle configuration removed", bucket_without_lifecycle),
    Weakening("bucket-policy-allows-anyone", "a bucket policy statement allowing s3:GetObject to Principal *",
              bucket_policy_allows_anyone),
    Weakening("bucket-policy-without-tls-deny", "a bucket policy's aws:SecureTransport deny removed",
              bucket_policy_without_tls_deny,
              blind_spot="checkov's one aws:SecureTransport check, CKV_AWS_379 (resource/aws/S3SecureDataTransport.py),"
              " judges only buckets with a public-read aws_s3_bucket_acl; the lake has no ACL resource"),
    Weakening("key-without-rotation", "the lake key's rotation off", key_without_rotation),
    Weakening("key-policy-allows-anyone", "a key policy statement allowing kms:Decrypt to Principal *",
              key_policy_allows_anyone),
    Weakening("crawler-without-security-configuration", "a crawler's security configuration removed",
              crawler_without_security_configuration),
    Weakening("glue-security-configuration-unencrypted", "the Glue security configuration's S3 encryption DISABLED",
              glue_security_configuration_unencrypted),
    Weakening("catalog-unencrypted", "the Data Catalog's encryption at rest DISABLED", catalog_unencrypted),
    Weakening("workgroup-unencrypted", "the Athena workgroup's result encryption removed, not enforced",
              workgroup_unencrypted_and_overridable),
    Weakening("queue-unencrypted", "an SQS queue without its KMS key or SQS-managed SSE", queue_unencrypted),
)


def weakened(document: dict, weakening: Weakening) -> tuple[dict, Expected]:
    """A weakened deep copy of ``document`` and the checks it must raise; ``document`` is untouched."""
    copied = copy.deepcopy(document)
    return copied, weakening.apply(copied)
