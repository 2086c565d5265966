"""DataLake: the zone buckets, the lake key and the logs bucket, wired together."""

from __future__ import annotations

import pulumi

from .environment import AwsEnvironment
from .lake_key import LakeKey, LakeKeyArgs
from .logs_bucket import LogsBucket, LogsBucketArgs
from .naming import logs_bucket_name, zone_bucket_name
from .secure_bucket import SecureBucket, SecureBucketArgs
from .settings import LakeSettings

TYPE_TOKEN = "datalake:storage:DataLake"


class DataLake(pulumi.ComponentResource):
    key: LakeKey
    logs: LogsBucket
    zones: dict[str, SecureBucket]

    def __init__(self, name: str, settings: LakeSettings, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        env = AwsEnvironment.current(self)
        child = pulumi.ResourceOptions(parent=self)
        # The lake's own tags identify its resources wherever they are read (plan, preview, live
        # account): "lake" marks the lake key, "zone" the buckets ("logs" for the log target).
        tags = {
            **settings.tags,
            "lake": settings.name,
            "stack": settings.stack,
            "production": "true" if settings.production else "false",
            "managed-by": "pulumi",
        }
        protect = settings.production
        zone_names = {z.name: zone_bucket_name(settings.name, settings.stack, z.name) for z in settings.zones}

        self.key = LakeKey(
            "lake-key",
            LakeKeyArgs(
                alias=f"{settings.name}-{settings.stack}",
                environment=env,
                administrators=settings.administrators,
                deletion_window_days=settings.key.deletion_window_days,
                protect=protect,
                tags=tags,
            ),
            opts=child,
        )
        self.logs = LogsBucket(
            "logs",
            LogsBucketArgs(
                bucket_name=logs_bucket_name(settings.name, settings.stack),
                source_bucket_names=tuple(zone_names.values()),
                environment=env,
                lifecycle=settings.logs.lifecycle,
                protect=protect,
                tags={**tags, "zone": "logs"},
            ),
            opts=child,
        )
        self.zones = {
            zone.name: SecureBucket(
                zone.name,
                SecureBucketArgs(
                    bucket_name=zone_names[zone.name],
                    kms_key_arn=self.key.arn,
                    access_logs=self.logs.access_log_target(),
                    lifecycle=zone.lifecycle,
                    require_sse_header=settings.require_sse_header,
                    protect=protect,
                    tags={**tags, "zone": zone.name},
                ),
                opts=child,
            )
            for zone in settings.zones
        }
        self.register_outputs(
            {
                "keyArn": self.key.arn,
                "keyAlias": self.key.alias_name,
                "logsBucket": self.logs.bucket_name,
                "zoneBuckets": {z: b.bucket_name for z, b in self.zones.items()},
            }
        )
