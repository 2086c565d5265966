"""Misconfigurations of the recorded dev and prod plans, each naming the rules that must catch it.

Each mutation is one mistake a person or a change to the program could make, written against
the plan document as `lake plan --output` writes it. The classes covered: transport and upload
encryption denies, public and foreign grants (to anyone, to another account, through
conditions that pin nothing or the wrong account), Block Public Access and ACLs, versioning,
default encryption, lifecycle schedules (alone and in combination), access logging, the lake
key (rotation, state, public and foreign policies, lock-out), IAM policies and roles (reach and
trust), the endpoint, Glue, Athena, SQS, data protection of production, flow logs, and consumers
(grants losing their KMS half or widened, undeclared actions and zones, the Athena-only condition,
the roles' trust, the partner's bucket and key statements, the exported identity policy).
"""

from __future__ import annotations

from dataclasses import dataclass

from .edits import (
    Edit,
    Statement,
    add_resource,
    add_statement,
    both,
    change_statement,
    drop_input,
    drop_resource,
    drop_statement,
    edit_exported_policy,
    edit_policy,
    resource,
    set_input,
    set_option,
    without,
)

DEV_ACCOUNT, PROD_ACCOUNT, FOREIGN = "123456789012", "210987654321", "999988887777"
RAW, CURATED, LOGS = "arn:aws:s3:::mlteam-dev-raw", "arn:aws:s3:::mlteam-dev-curated", "arn:aws:s3:::mlteam-dev-logs"
ANOTHER_KEY = f"arn:aws:kms:us-east-1:{DEV_ACCOUNT}:key/00000000-1111-2222-3333-444444444444"
IMAGES_ROLE = f"arn:aws:iam::{DEV_ACCOUNT}:role/mlteam-dev-crawler-images"
PROCESSED = "arn:aws:s3:::mlteam-dev-processed"
PROD_CURATED, PROD_PROCESSED = "arn:aws:s3:::mlteam-prod-curated", "arn:aws:s3:::mlteam-prod-processed"
PARTNER_ACCOUNT = "345678901234"  # prod's trusted account, home of the partner-research consumer
AWS_MANAGED = "arn:aws:iam::aws:policy/"


@dataclass(frozen=True)
class Mutation:
    id: str
    stack: str  # "dev" or "prod"
    rules: tuple[str, ...]  # every rule that must report it as a failure
    summary: str
    edit: Edit


def _allow(sid: str, principal: object, action: object, resource: object, condition: dict | None = None) -> Statement:
    statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}
    return {**statement, "Condition": condition} if condition else statement


def _raw_statement(statement: Statement) -> Edit:
    return add_statement("BucketPolicy", "raw-policy", statement)


def _key_statement(statement: Statement) -> Edit:
    return add_statement("Key", "lake-key-key", statement)


def _key_policy(change) -> Edit:
    return edit_policy("Key", "lake-key-key", change)


def _role_policy(statement: Statement, role: str = "catalog-images") -> Edit:
    return add_statement("RolePolicy", role, statement)


def _trust(change, role: str = "crawler-images", sid: str = "AllowGlueToAssumeRole") -> Edit:
    return change_statement("Role", role, sid, change, field="assumeRolePolicy")


def _attach(policy: str, role: str = "crawler-images") -> Edit:
    """An AWS managed policy attached to the role the lake declares as ``role`` (its Pulumi name)."""
    return add_resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{role}-{policy}",
                        {"role": f"mlteam-dev-{role}", "policyArn": AWS_MANAGED + policy},
                        depends_on={"role": ("Role", role)})


def _endpoint(change) -> Edit:
    return change_statement("VpcEndpoint", "network-s3-endpoint", "AllowLakeAccountToListedBuckets", change)


def _raw_lifecycle(document) -> list[dict]:
    return resource(document, "BucketLifecycleConfiguration", "raw-lifecycle")["inputs"]["rules"]


def _lifecycle_rule(rule: dict) -> Edit:
    return lambda document: _raw_lifecycle(document).append(rule)


def _every_lifecycle_rule(change) -> Edit:
    def edit(document) -> None:
        for rule in _raw_lifecycle(document):
            change(rule)
    return edit


def _workgroup(path: tuple, value: object) -> Edit:
    return set_input("Workgroup", "query", ("configuration", "resultConfiguration", *path), value)


def _bpa(name: str, flag: str) -> Edit:
    return set_input("BucketPublicAccessBlock", f"{name}-public-access-block", (flag,), False)


def _consumer(sid: str, change, consumer: str = "training") -> Edit:
    """Change one statement of the customer managed policy the lake creates for a consumer."""
    return change_statement("Policy", f"consumer-{consumer}", sid, change)


def _consumer_grant(action: object, resource: object) -> Edit:
    """One more Allow in the dev training consumer's policy (a hand edit, or a builder granting too much)."""
    return add_statement("Policy", "consumer-training", {"Sid": "Extra", "Effect": "Allow", "Action": action,
                                                         "Resource": resource})


def _partner_statement(sid: str, change) -> Edit:
    """Change one statement prod's curated bucket policy gives the partner-research consumer."""
    return change_statement("BucketPolicy", "curated-policy", sid, change)


def _without_condition_key(key: str) -> object:
    """Drop ``key`` from every operator of a statement's condition (an operator left empty goes too)."""
    def change(statement: Statement) -> None:
        condition = statement["Condition"]
        for operator in list(condition):
            condition[operator].pop(key, None)
            if not condition[operator]:
                del condition[operator]
    return change


def m(id_: str, rules: tuple[str, ...] | str, summary: str, edit: Edit, stack: str = "dev") -> Mutation:
    return Mutation(id_, stack, (rules,) if isinstance(rules, str) else rules, summary, edit)


def _replace_condition(condition: dict) -> object:
    return lambda s: s.update(Condition=condition)


MUTATIONS: tuple[Mutation, ...] = (
    # --- transport --------------------------------------------------------------------------------------
    m("tls-deny-dropped", "S3.5", "raw's policy loses DenyInsecureTransport",
      drop_statement("BucketPolicy", "raw-policy", "DenyInsecureTransport")),
    m("tls-deny-inverted", "S3.5", "DenyInsecureTransport denies SecureTransport true instead of false",
      change_statement("BucketPolicy", "raw-policy", "DenyInsecureTransport",
                       _replace_condition({"Bool": {"aws:SecureTransport": "true"}}))),
    m("tls-deny-bucket-only", "S3.5", "DenyInsecureTransport covers the bucket ARN but not its objects",
      change_statement("BucketPolicy", "raw-policy", "DenyInsecureTransport", lambda s: s.update(Resource=RAW))),
    m("tls-deny-one-action", "S3.5", "DenyInsecureTransport denies s3:PutObject only",
      change_statement("BucketPolicy", "raw-policy", "DenyInsecureTransport", lambda s: s.update(Action="s3:PutObject"))),
    m("tls-deny-one-principal", "S3.5", "DenyInsecureTransport names one role instead of everyone",
      change_statement("BucketPolicy", "raw-policy", "DenyInsecureTransport",
                       lambda s: s.update(Principal={"AWS": f"arn:aws:iam::{DEV_ACCOUNT}:role/LakeAdmin"}))),
    m("old-tls-deny-dropped", "LAKE.1", "raw's policy loses DenyOutdatedTls",
      drop_statement("BucketPolicy", "raw-policy", "DenyOutdatedTls")),
    m("old-tls-threshold-1.0", "LAKE.1", "DenyOutdatedTls denies below TLS 1.0 only",
      change_statement("BucketPolicy", "raw-policy", "DenyOutdatedTls",
                       _replace_condition({"NumericLessThan": {"s3:TlsVersion": 1.0}}))),
    # --- upload encryption --------------------------------------------------------------------------------
    m("other-key-deny-dropped", "LAKE.2", "raw's policy lets uploads name any KMS key",
      drop_statement("BucketPolicy", "raw-policy", "DenyOtherKmsKey")),
    m("non-kms-header-deny-dropped", "LAKE.2", "raw's policy lets uploads ask for SSE-S3",
      drop_statement("BucketPolicy", "raw-policy", "DenyNonKmsEncryptionHeader")),
    m("other-key-deny-arn-operator", "LAKE.2", "DenyOtherKmsKey compares with ArnNotLike (undefined on a bare key id)",
      change_statement("BucketPolicy", "raw-policy", "DenyOtherKmsKey", lambda s: s.update(Condition={
          "ArnNotLike": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:*:*:key/*"},
          "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}))),
    m("other-key-deny-wrong-key", "LAKE.2", "DenyOtherKmsKey allows another key instead of the lake key",
      change_statement("BucketPolicy", "raw-policy", "DenyOtherKmsKey", lambda s: s.update(Condition={
          "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": ANOTHER_KEY},
          "Null": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"}}))),
    # --- public and foreign grants on buckets ------------------------------------------------------------
    m("public-read", ("S3.2", "LAKE.12", "LAKE.16"), "raw's policy allows anyone s3:GetObject",
      _raw_statement(_allow("PublicRead", "*", "s3:GetObject", f"{RAW}/*"))),
    m("public-write", ("S3.3", "LAKE.12", "LAKE.16"), "raw's policy allows anyone s3:PutObject",
      _raw_statement(_allow("PublicWrite", {"AWS": "*"}, "s3:PutObject", f"{RAW}/*"))),
    m("public-delete", ("S3.3", "LAKE.12", "LAKE.16"), "curated's policy allows anyone s3:DeleteObject",
      add_statement("BucketPolicy", "curated-policy", _allow("PublicDelete", "*", "s3:DeleteObject", f"{CURATED}/*"))),
    m("public-list-through-not-principal", ("S3.2", "LAKE.12", "LAKE.16"),
      "an Allow with NotPrincipal lets everyone else list raw",
      _raw_statement({"Sid": "AllButAdmin", "Effect": "Allow", "NotPrincipal": {
          "AWS": f"arn:aws:iam::{DEV_ACCOUNT}:role/LakeAdmin"}, "Action": "s3:ListBucket", "Resource": RAW})),
    m("foreign-policy-change", ("S3.6", "LAKE.12"), "another account may rewrite raw's bucket policy",
      _raw_statement(_allow("PartnerAdmin", {"AWS": f"arn:aws:iam::{FOREIGN}:root"}, "s3:PutBucketPolicy", RAW))),
    m("foreign-reader-role", "LAKE.12", "a role of another account may read raw",
      _raw_statement(_allow("PartnerReads", {"AWS": f"arn:aws:iam::{FOREIGN}:role/reader"}, "s3:GetObject", f"{RAW}/*"))),
    m("foreign-account-id", "LAKE.12", "another account, by bare id, may list raw",
      _raw_statement(_allow("PartnerLists", {"AWS": FOREIGN}, "s3:ListBucket", RAW))),
    m("anyone-pinned-to-other-account", "LAKE.12", "anyone whose aws:PrincipalAccount is another account may read",
      _raw_statement(_allow("OtherAccountReads", "*", "s3:GetObject", f"{RAW}/*",
                            {"StringEquals": {"aws:PrincipalAccount": FOREIGN}}))),
    m("anyone-in-unnamed-organization", "LAKE.12", "anyone in an organization the config does not name may read",
      _raw_statement(_allow("OrgReads", "*", "s3:GetObject", f"{RAW}/*",
                            {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}))),
    m("curated-foreign-delete", "LAKE.12", "a role of another account may delete curated objects",
      add_statement("BucketPolicy", "curated-policy", _allow(
          "PartnerCleans", {"AWS": f"arn:aws:iam::{FOREIGN}:role/cleaner"}, "s3:DeleteObject", f"{CURATED}/*"))),
    # --- Block Public Access, ACLs, versioning, encryption, logging -----------------------------------
    m("bpa-block-public-policy-off", "S3.8", "raw's BlockPublicPolicy is false", _bpa("raw", "blockPublicPolicy")),
    m("bpa-restrict-public-buckets-off", "S3.8", "curated's RestrictPublicBuckets is false",
      _bpa("curated", "restrictPublicBuckets")),
    m("bpa-removed", "S3.8", "processed has no Block Public Access resource",
      drop_resource("BucketPublicAccessBlock", "processed-public-access-block")),
    m("acls-enabled", "S3.12", "raw's object ownership is ObjectWriter",
      set_input("BucketOwnershipControls", "raw-ownership", ("rule", "objectOwnership"), "ObjectWriter")),
    m("versioning-suspended", "S3.14", "raw's versioning is Suspended",
      set_input("BucketVersioning", "raw-versioning", ("versioningConfiguration", "status"), "Suspended")),
    m("versioning-removed", "S3.14", "curated has no versioning resource",
      drop_resource("BucketVersioning", "curated-versioning")),
    m("sse-s3-default", "S3.17", "raw's default encryption is SSE-S3",
      set_input("BucketServerSideEncryptionConfiguration", "raw-encryption", ("rules",),
                [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}])),
    m("sse-kms-other-key", "S3.17", "raw's default encryption uses another KMS key",
      set_input("BucketServerSideEncryptionConfiguration", "raw-encryption", ("rules",),
                [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": ANOTHER_KEY},
                  "bucketKeyEnabled": True}])),
    m("access-logging-removed", "S3.9", "raw has no access logging",
      drop_resource("BucketLogging", "raw-logging")),
    # --- lifecycle -----------------------------------------------------------------------------------------
    m("lifecycle-removed", "S3.13", "processed has no lifecycle configuration",
      drop_resource("BucketLifecycleConfiguration", "processed-lifecycle")),
    m("ia-at-day-10", "S3.13", "raw moves objects to STANDARD_IA at day 10",
      set_input("BucketLifecycleConfiguration", "raw-lifecycle", ("rules", 0, "transitions", 0, "days"), 10)),
    m("lifecycle-all-disabled", "S3.13", "every lifecycle rule of raw is disabled",
      _every_lifecycle_rule(lambda rule: rule.update(status="Disabled"))),
    m("overlapping-expiry-day-1", "S3.13", "an extra rule expires every current object of raw at day 1",
      _lifecycle_rule({"id": "cleanup", "status": "Enabled", "filter": {}, "expiration": {"days": 1}})),
    m("overlapping-prefix-glacier-too-early", "S3.13",
      "an extra rule moves raw's images/ to GLACIER_IR at day 45, 15 days after the whole bucket's STANDARD_IA move",
      _lifecycle_rule({"id": "images-cold", "status": "Enabled", "filter": {"prefix": "images/"},
                       "transitions": [{"days": 45, "storageClass": "GLACIER_IR"}]})),
    m("noncurrent-expire-day-1", "S3.13", "an extra rule deletes noncurrent versions of raw after one day",
      _lifecycle_rule({"id": "drop-old-versions", "status": "Enabled", "filter": {},
                       "noncurrentVersionExpiration": {"noncurrentDays": 1}})),
    # --- the lake key --------------------------------------------------------------------------------------
    m("rotation-off", "KMS.4", "the lake key does not rotate",
      set_input("Key", "lake-key-key", ("enableKeyRotation",), False)),
    m("key-disabled", "KMS.3", "the lake key is declared disabled", set_input("Key", "lake-key-key", ("isEnabled",), False)),
    # Not LAKE.12: DenyUseByOtherAccounts already denies kms:Decrypt to every other account. LAKE.16: the
    # training consumer may now decrypt through Glue, which its grants do not declare.
    m("key-public-decrypt", ("KMS.5", "LAKE.16"), "the key policy lets anyone decrypt",
      _key_statement(_allow("AnyoneDecrypts", "*", "kms:Decrypt", "*"))),
    m("key-foreign-administrator", "LAKE.12",
      "a role of another account administers the lake key (DenyUseByOtherAccounts blocks only cryptographic use)",
      change_statement("Key", "lake-key-key", "AllowKeyAdministration", lambda s: s.update(Principal={"AWS": [
          f"arn:aws:iam::{DEV_ACCOUNT}:role/LakeAdmin", f"arn:aws:iam::{FOREIGN}:role/KeyAdmin"]}))),
    m("key-foreign-root-everything", "LAKE.12", "another account's root gets kms:* on the lake key",
      _key_statement(_allow("PartnerRoot", {"AWS": f"arn:aws:iam::{FOREIGN}:root"}, "kms:*", "*"))),
    m("key-foreign-grant-creation", "LAKE.12", "another account may create grants on the lake key",
      _key_statement(_allow("PartnerGrants", {"AWS": f"arn:aws:iam::{FOREIGN}:role/ops"}, "kms:CreateGrant", "*"))),
    m("key-lockout", ("LAKE.15", "LAKE.16"), "the key policy loses the account-root statement and its administrators",
      _key_policy(lambda ss: [s for s in ss if s.get("Sid") not in ("EnableIamPolicies", "AllowKeyAdministration")])),
    m("key-policy-frozen", "LAKE.15", "a Deny of kms:PutKeyPolicy to everyone freezes the key policy",
      _key_statement({"Sid": "Freeze", "Effect": "Deny", "Principal": "*", "Action": "kms:PutKeyPolicy",
                      "Resource": "*"})),
    m("bucket-perimeter-locks-out", ("LAKE.3", "LAKE.15"),
      "a Deny outside the endpoint, exempting nobody, covers raw's policy management",
      _raw_statement({"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                      "Resource": [RAW, f"{RAW}/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}})),
    m("key-perimeter-locks-out", ("LAKE.3", "LAKE.15", "LAKE.16"),
      "a Deny outside an office IP range, exempting nobody, covers every action on the lake key",
      _key_statement({"Sid": "DenyOutsideOffice", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:*",
                      "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}})),
    m("managed-policy-kms-everything", "KMS.1", "a customer managed policy allows kms:* on every key",
      add_resource("aws:iam/policy:Policy", "ops-kms", {"name": "ops-kms", "policy": (
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}')})),
    m("inline-reencrypt-everything", "KMS.2", "the annotations crawler's role may re-encrypt from every key",
      _role_policy({"Sid": "ReEncryptAll", "Effect": "Allow", "Action": "kms:ReEncryptFrom", "Resource": "*"},
                   role="catalog-annotations")),
    m("managed-policy-decrypt-everything", "KMS.1", "a customer managed policy allows kms:Decrypt on every key",
      add_resource("aws:iam/policy:Policy", "analysts-decrypt", {"name": "analysts-decrypt", "policy": (
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}')})),
    # Not LAKE.10: over the lake, this reaches nothing new (the lake key's DenyUseOutsideS3 refuses
    # direct use, and the crawler already decrypts its prefix through S3); KMS.2 reports the grant.
    m("inline-decrypt-everything", "KMS.2", "the images crawler's role may decrypt with every key",
      _role_policy({"Sid": "DecryptAll", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"})),
    # --- roles: reach and trust ----------------------------------------------------------------------------
    m("crawler-s3-everything", "LAKE.10", "the images crawler's role gets s3:* on every resource",
      _role_policy({"Sid": "Everything", "Effect": "Allow", "Action": "s3:*", "Resource": "*"})),
    m("crawler-glue-service-role", "LAKE.10", "AWSGlueServiceRole is attached to the images crawler's role",
      _attach("service-role/AWSGlueServiceRole")),
    m("crawler-s3-read-only-access", "LAKE.10", "AmazonS3ReadOnlyAccess is attached to the images crawler's role",
      _attach("AmazonS3ReadOnlyAccess")),
    m("crawler-whole-bucket", "LAKE.10", "the images crawler reads all of raw, not just images/",
      change_statement("RolePolicy", "catalog-images", "ReadPrefixObjects", lambda s: s.update(Resource=f"{RAW}/*"))),
    # A PutObject grant alone would reach nothing: an upload needs kms:GenerateDataKey on the lake key,
    # which the key policy does not give crawlers. Deleting needs no key.
    m("crawler-deletes-its-prefix", "LAKE.10", "the images crawler may also delete objects of its prefix",
      _role_policy({"Sid": "DeleteImages", "Effect": "Allow", "Action": "s3:DeleteObject",
                    "Resource": f"{RAW}/images/*"})),
    m("crawler-writes-with-a-key-grant", "LAKE.10",
      "the images crawler may write its prefix, and the key policy lets it generate data keys through S3",
      both(_role_policy({"Sid": "WriteImages", "Effect": "Allow", "Action": "s3:PutObject",
                         "Resource": f"{RAW}/images/*"}),
           _key_statement(_allow("CrawlerEncrypts", {"AWS": IMAGES_ROLE}, "kms:GenerateDataKey", "*")))),
    m("crawler-reads-curated", "LAKE.10", "the images crawler may read curated",
      _role_policy({"Sid": "ReadCurated", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": [CURATED, f"{CURATED}/*"]})),
    m("crawler-bucket-policy-grant", "LAKE.10", "curated's bucket policy grants the images crawler's role reads",
      add_statement("BucketPolicy", "curated-policy", _allow(
          "CrawlerReadsCurated", {"AWS": IMAGES_ROLE}, "s3:GetObject", f"{CURATED}/*"))),
    m("crawler-key-admin", "LAKE.10", "the key policy lets the images crawler's role schedule the key's deletion",
      _key_statement(_allow("CrawlerAdministers", {"AWS": IMAGES_ROLE}, "kms:ScheduleKeyDeletion", "*"))),
    m("trust-anyone", "LAKE.14", "anyone may assume the images crawler's role",
      _trust(lambda s: s.update(Principal={"AWS": "*"}))),
    m("trust-foreign-root", ("LAKE.14",), "another account may assume the images crawler's role",
      _trust(lambda s: (s.update(Principal={"AWS": f"arn:aws:iam::{FOREIGN}:root"}), s.pop("Condition", None)))),
    m("trust-own-root", "LAKE.14", "the account root (any IAM principal of the account) may assume the role",
      _trust(lambda s: (s.update(Principal={"AWS": f"arn:aws:iam::{DEV_ACCOUNT}:root"}), s.pop("Condition", None)))),
    m("trust-no-source-account", "LAKE.14", "Glue may assume the role for any account (no aws:SourceAccount)",
      _trust(lambda s: s.pop("Condition", None))),
    m("trust-source-account-wildcard", "LAKE.14", "the role's aws:SourceAccount condition is a wildcard",
      _trust(lambda s: s.update(Condition={"StringLike": {"aws:SourceAccount": "*"}}))),
    m("trust-wrong-service", "LAKE.14", "EC2, not Glue, may assume the crawler's role",
      _trust(lambda s: s.update(Principal={"Service": "ec2.amazonaws.com"}))),
    # --- the endpoint ---------------------------------------------------------------------------------------
    m("endpoint-policy-removed", "LAKE.5", "the S3 endpoint has no policy (the default allows everything)",
      drop_input("VpcEndpoint", "network-s3-endpoint", "policy")),
    m("endpoint-every-bucket", "LAKE.5", "the endpoint allows the lake's account on every bucket",
      _endpoint(lambda s: s.update(Resource="*"))),
    m("endpoint-any-principal", ("LAKE.5", "LAKE.12"), "the endpoint's Allow has no aws:PrincipalAccount condition",
      _endpoint(lambda s: s.pop("Condition"))),
    m("endpoint-outside-bucket", "LAKE.5", "the endpoint allows a bucket the config does not allowlist",
      _endpoint(lambda s: s.update(Resource=[*s["Resource"], "arn:aws:s3:::exfiltration-bucket",
                                             "arn:aws:s3:::exfiltration-bucket/*"]))),
    m("endpoint-foreign-account", ("LAKE.5", "LAKE.12"), "the endpoint admits principals of another account",
      _endpoint(lambda s: s.update(Condition={"StringEquals": {"aws:PrincipalAccount": FOREIGN}}))),
    # --- Glue, Athena, SQS ----------------------------------------------------------------------------------
    m("crawler-no-security-configuration", "LAKE.6", "the images crawler has no security configuration",
      drop_input("Crawler", "catalog-images", "securityConfiguration")),
    m("security-configuration-s3-disabled", "LAKE.6", "the crawlers' security configuration writes S3 unencrypted",
      set_input("SecurityConfiguration", "catalog-crawlers", ("encryptionConfiguration", "s3Encryption"),
                {"s3EncryptionMode": "DISABLED"})),
    m("catalog-encryption-disabled", "LAKE.7", "the Data Catalog is not encrypted",
      set_input("DataCatalogEncryptionSettings", "catalog-encryption",
                ("dataCatalogEncryptionSettings", "encryptionAtRest"), {"catalogEncryptionMode": "DISABLED"})),
    m("workgroup-not-enforced", "LAKE.8", "the workgroup lets clients override its result configuration",
      set_input("Workgroup", "query", ("configuration", "enforceWorkgroupConfiguration"), False)),
    m("workgroup-sse-s3", "LAKE.8", "query results are encrypted with SSE_S3",
      _workgroup(("encryptionConfiguration",), {"encryptionOption": "SSE_S3"})),
    m("workgroup-results-elsewhere", ("LAKE.8", "LAKE.16"), "query results go to a bucket outside the lake",
      _workgroup(("outputLocation",), "s3://analytics-scratch/athena/")),
    m("workgroup-results-in-curated", ("LAKE.8", "LAKE.16"), "query results go to the curated zone, among data",
      _workgroup(("outputLocation",), "s3://mlteam-dev-curated/athena/")),
    m("workgroup-results-other-key", "LAKE.8", "query results are encrypted with another KMS key",
      _workgroup(("encryptionConfiguration",), {"encryptionOption": "SSE_KMS", "kmsKeyArn": ANOTHER_KEY})),
    m("queue-unencrypted", "LAKE.9", "the annotations event queue is not encrypted",
      set_input("Queue", "catalog-annotations-events", ("sqsManagedSseEnabled",), False)),
    m("queue-no-dead-letters", "LAKE.9", "the annotations event queue has no dead-letter queue",
      drop_input("Queue", "catalog-annotations-events", "redrivePolicy")),
    m("queue-service-no-source-account", "LAKE.13", "S3 may send events to the queue for any account",
      change_statement("QueuePolicy", "catalog-annotations-events", "AllowS3EventNotifications",
                       lambda s: s["Condition"].pop("StringEquals"))),
    m("queue-service-any-source", "LAKE.13", "S3 may send events to the queue from any bucket",
      change_statement("QueuePolicy", "catalog-annotations-events", "AllowS3EventNotifications",
                       lambda s: s["Condition"].update(ArnLike={"aws:SourceArn": "arn:aws:s3:::*"}))),
    m("queue-anyone-sends", "LAKE.12", "anyone may send to the annotations event queue",
      add_statement("QueuePolicy", "catalog-annotations-events", _allow(
          "AnyoneSends", "*", "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{DEV_ACCOUNT}:mlteam-dev-annotations-events"))),
    m("log-delivery-no-source-arn", "LAKE.13", "access-log delivery to the logs bucket from any bucket",
      change_statement("BucketPolicy", "logs-policy", "AllowS3ServerAccessLogDelivery",
                       lambda s: s["Condition"].pop("ArnLike"))),
    m("log-delivery-foreign-source-account", "LAKE.13", "access-log delivery on behalf of another account",
      change_statement("BucketPolicy", "logs-policy", "AllowS3ServerAccessLogDelivery",
                       lambda s: s["Condition"].update(StringEquals={"aws:SourceAccount": FOREIGN}))),
    # --- network --------------------------------------------------------------------------------------------
    m("flow-logs-removed", "EC2.6", "the lake's VPC has no flow log", drop_resource("FlowLog", "network-flow-log")),
    # --- production data protection -------------------------------------------------------------------------
    m("prod-bucket-unprotected", "LAKE.4", "production's raw bucket is not protected",
      set_option("Bucket", "raw-bucket", "protect", False), stack="prod"),
    m("prod-key-not-retained", "LAKE.4", "production's lake key is not retained on delete",
      set_option("Key", "lake-key-key", "retainOnDelete", False), stack="prod"),
    m("prod-force-destroy", "LAKE.4", "production's curated bucket may be deleted with its objects",
      set_input("Bucket", "curated-bucket", ("forceDestroy",), True), stack="prod"),
    m("prod-tls-deny-dropped", "S3.5", "production's raw policy loses DenyInsecureTransport",
      drop_statement("BucketPolicy", "raw-policy", "DenyInsecureTransport"), stack="prod"),
    m("prod-key-foreign-administrator", "LAKE.12", "a role of another account administers production's key",
      change_statement("Key", "lake-key-key", "AllowKeyAdministration", lambda s: s.update(Principal={"AWS": [
          f"arn:aws:iam::{PROD_ACCOUNT}:role/LakeAdmin", f"arn:aws:iam::{FOREIGN}:role/KeyAdmin"]})), stack="prod"),
    m("prod-endpoint-every-bucket", "LAKE.5", "production's endpoint allows every bucket",
      _endpoint(lambda s: s.update(Resource=["arn:aws:s3:::*", "arn:aws:s3:::*/*"])), stack="prod"),
    m("prod-crawler-reads-raw", "LAKE.10", "production's features crawler may read raw",
      _role_policy({"Sid": "ReadRaw", "Effect": "Allow", "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::mlteam-prod-raw/*"}, role="catalog-features"), stack="prod"),
    # --- consumers (datalake:consumers) ---------------------------------------------------------------------
    # dev: training (a SageMaker role the lake creates: reads curated, writes processed), analysts (the
    # existing Analyst role, attached policy: Athena queries of curated). prod: training (writes only
    # processed/features/, through the endpoint), partner-research (a role of a trusted account: reads
    # curated/features/ through the bucket and key policies). LAKE.10 judges only the role the lake creates.
    m("consumer-key-statement-dropped", "LAKE.16", "the training consumer's policy loses its KMS statement",
      drop_statement("Policy", "consumer-training", "UseKeyThroughS3")),
    m("consumer-writer-without-data-keys", "LAKE.16", "the training consumer may decrypt but not generate data keys",
      _consumer("UseKeyThroughS3", lambda s: s.update(Action="kms:Decrypt"))),
    m("consumer-key-outside-s3", "LAKE.16", "the training consumer's key statement loses kms:ViaService",
      _consumer("UseKeyThroughS3", _without_condition_key("kms:ViaService"))),
    m("consumer-key-every-key", "KMS.1", "the training consumer may use every KMS key through S3",
      _consumer("UseKeyThroughS3", lambda s: s.update(Resource="*"))),
    m("consumer-deletes-versions", ("LAKE.16", "LAKE.10"), "the training consumer may delete object versions",
      _consumer_grant("s3:DeleteObjectVersion", f"{PROCESSED}/*")),
    m("consumer-rewrites-bucket-policy", ("LAKE.16", "LAKE.10"), "the training consumer may rewrite curated's policy",
      _consumer_grant("s3:PutBucketPolicy", CURATED)),
    m("consumer-reads-another-zone", ("LAKE.16", "LAKE.10"), "the training consumer may also read raw",
      _consumer_grant(["s3:GetObject", "s3:ListBucket"], [RAW, f"{RAW}/*"])),
    m("consumer-reads-access-logs", ("LAKE.16", "LAKE.10"), "the training consumer may read the access logs",
      _consumer_grant("s3:GetObject", f"{LOGS}/*")),
    m("consumer-s3-full-access", ("LAKE.16", "LAKE.10"), "AmazonS3FullAccess is attached to the training role",
      _attach("AmazonS3FullAccess", role="consumer-training")),
    m("consumer-policy-detached", "LAKE.16", "the training role loses the attachment of its policy",
      drop_resource("RolePolicyAttachment", "consumer-training")),
    m("analysts-policy-detached", "LAKE.16", "the analysts' existing role loses the policy its config attaches",
      drop_resource("RolePolicyAttachment", "consumer-analysts")),
    m("analysts-read-directly", "LAKE.16", "the analysts read curated directly, not only through Athena",
      _consumer("AthenaReadObjects", lambda s: s.pop("Condition"), consumer="analysts")),
    m("analysts-query-another-database", "LAKE.16", "the analysts may read raw's tables in the Data Catalog",
      _consumer("ReadCatalog", lambda s: s["Resource"].extend([
          f"arn:aws:glue:us-east-1:{DEV_ACCOUNT}:database/mlteam_dev_raw",
          f"arn:aws:glue:us-east-1:{DEV_ACCOUNT}:table/mlteam_dev_raw/*"]), consumer="analysts")),
    m("analysts-whole-results-bucket", "LAKE.16", "the analysts may use the whole query-results bucket",
      _consumer("UseQueryResults", lambda s: s.update(Resource="arn:aws:s3:::mlteam-dev-query-results/*"),
                consumer="analysts")),
    m("consumer-trust-other-service", "LAKE.14", "EC2, not SageMaker, may assume the training role",
      _trust(lambda s: s.update(Principal={"Service": "ec2.amazonaws.com"}), "consumer-training",
             "AllowServiceToAssumeRole")),
    m("consumer-trust-foreign-account", "LAKE.14", "another account may assume the training role",
      _trust(lambda s: (s.update(Principal={"AWS": f"arn:aws:iam::{FOREIGN}:root"}), s.pop("Condition")),
             "consumer-training", "AllowServiceToAssumeRole")),
    m("consumer-trust-no-source-account", "LAKE.14", "SageMaker may assume the training role for any account",
      _trust(lambda s: s.pop("Condition"), "consumer-training", "AllowServiceToAssumeRole")),
    m("prod-consumer-prefix-widened", ("LAKE.16", "LAKE.10"),
      "production's training consumer writes all of processed, not just features/",
      _consumer("WriteObjects", lambda s: s.update(Resource=f"{PROD_PROCESSED}/*")), stack="prod"),
    m("prod-partner-listing-unpinned", "LAKE.16", "the partner may list all of curated (no s3:prefix condition)",
      _partner_statement("ConsumerPartnerResearchList", lambda s: s.pop("Condition")), stack="prod"),
    m("prod-partner-whole-bucket", "LAKE.16", "the partner's bucket statement reads all of curated, not features/",
      _partner_statement("ConsumerPartnerResearchRead", lambda s: s.update(Resource=f"{PROD_CURATED}/*")),
      stack="prod"),
    m("prod-partner-key-grant-dropped", "LAKE.16", "the key policy no longer lets the partner decrypt",
      drop_statement("Key", "lake-key-key", "AllowConsumersToDecryptThroughS3"), stack="prod"),
    m("prod-partner-exported-policy-without-key", "LAKE.16",
      "the identity policy exported for the partner loses its KMS statement",
      edit_exported_policy("partner-research", without("UseKeyThroughS3")), stack="prod"),
    # DenyUseByOtherAccounts admitting another account is no mistake alone (no statement lets that account
    # use the key: no rule fails), nor is a key grant to a role of it (the Deny refuses it): the two together are.
    m("prod-key-admits-foreign-account", "LAKE.12",
      "DenyUseByOtherAccounts admits another account, and the partner's key grant names a role of it too",
      both(change_statement("Key", "lake-key-key", "DenyUseByOtherAccounts",
                            lambda s: s["Condition"]["StringNotEquals"]["kms:CallerAccount"].append(FOREIGN)),
           change_statement("Key", "lake-key-key", "AllowConsumersToDecryptThroughS3",
                            lambda s: s["Principal"]["AWS"].append(f"arn:aws:iam::{FOREIGN}:role/Research"))),
      stack="prod"),
)


# Legitimate changes that must raise no failure: the corpus's guard against rules that catch
# mutations by failing everything near them.
CONTROLS: tuple[Mutation, ...] = (
    m("scratch-objects-expire-early", (), "tagged scratch objects of raw expire at day 1 (a tag-filtered rule)",
      _lifecycle_rule({"id": "expire-scratch", "status": "Enabled",
                       "filter": {"tag": {"key": "scratch", "value": "true"}}, "expiration": {"days": 1}})),
    m("tmp-prefix-expires-sooner", (), "objects under tmp/ of raw expire at day 7",
      _lifecycle_rule({"id": "expire-tmp", "status": "Enabled", "filter": {"prefix": "tmp/"},
                       "expiration": {"days": 7}})),
    m("crawler-reads-narrower", (), "the images crawler reads only images/2024/",
      change_statement("RolePolicy", "catalog-images", "ReadPrefixObjects",
                       lambda s: s.update(Resource=f"{RAW}/images/2024/*"))),
    m("endpoint-fewer-buckets", (), "the endpoint policy leaves out the curated bucket",
      _endpoint(lambda s: s.update(Resource=[r for r in s["Resource"] if "curated" not in r]))),
    m("key-admin-own-account-role", (), "another role of the lake's account administers the key",
      change_statement("Key", "lake-key-key", "AllowKeyAdministration", lambda s: s.update(Principal={"AWS": [
          f"arn:aws:iam::{DEV_ACCOUNT}:role/LakeAdmin", f"arn:aws:iam::{DEV_ACCOUNT}:role/SecurityTeam"]}))),
    m("consumer-policy-description", (), "the training consumer's policy gets another description",
      set_input("Policy", "consumer-training", ("description",), "SageMaker training: read curated, write processed")),
    m("consumer-statement-renamed", (), "a statement of the analysts' policy gets another Sid",
      _consumer("AthenaReadObjects", lambda s: s.update(Sid="ReadCuratedThroughAthena"), consumer="analysts")),
    m("consumer-denies-version-deletes", (), "the training consumer's policy denies s3:DeleteObjectVersion outright",
      add_statement("Policy", "consumer-training", {"Sid": "NeverDeleteVersions", "Effect": "Deny",
                                                    "Action": "s3:DeleteObjectVersion", "Resource": "*"})),
)
