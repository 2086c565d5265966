"""DataLake: the zone buckets, the lake key, the logs bucket, the private network path, the Glue
catalog, the Athena workgroup and the consumers' access, wired together."""

from __future__ import annotations

import pulumi

from .athena import RESULTS_PREFIX, QueryWorkgroup, QueryWorkgroupArgs
from .catalog import LakeCatalog, LakeCatalogArgs, crawler_roles
from .consumers import (
    LakeConsumers,
    LakeConsumersArgs,
    external_key_options,
    perimeter_exempt_consumers,
    zone_statements,
)
from .documents.arns import CRAWLER_LOG_GROUPS
from .documents.perimeter import service_linked_roles
from .environment import AwsEnvironment
from .lake_key import LakeKey, LakeKeyArgs
from .logs_bucket import LogsBucket, LogsBucketArgs
from .naming import logs_bucket_name, query_results_bucket_name, zone_bucket_name
from .network import LakeNetwork, LakeNetworkArgs
from .secure_bucket import SecureBucket, SecureBucketArgs
from .settings import LakeSettings

TYPE_TOKEN = "datalake:storage:DataLake"


class DataLake(pulumi.ComponentResource):
    key: LakeKey
    logs: LogsBucket
    network: LakeNetwork
    zones: dict[str, SecureBucket]
    catalog: LakeCatalog
    query: QueryWorkgroup
    consumers: LakeConsumers | None  # None: the stack declares no consumer

    def __init__(self, name: str, settings: LakeSettings, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._settings = settings
        self._env = AwsEnvironment.current(self)
        self._child = pulumi.ResourceOptions(parent=self)
        # The lake's own tags identify its resources wherever they are read (plan, preview, live
        # account): "lake" marks the lake key, "zone" the buckets ("logs" for the log target).
        self._tags = {
            **settings.tags,
            "lake": settings.name,
            "stack": settings.stack,
            "production": "true" if settings.production else "false",
            "managed-by": "pulumi",
        }
        self._zone_names = {z.name: zone_bucket_name(settings.name, settings.stack, z.name) for z in settings.zones}
        self._results_name = query_results_bucket_name(settings.name, settings.stack)
        self._roles = crawler_roles(self, settings.name, settings.stack, settings.datasets, self._env,
                                    settings.production, self._tags)
        self.key = self._key()
        self.logs = self._logs()
        self.network = self._network()
        self.zones = {zone.name: self._zone(zone) for zone in settings.zones}
        self.catalog = self._catalog()
        self.query = self._query()
        # After the zones, catalog and workgroup their policies name. The bucket and key policies
        # grant only external consumers' roles (of another account), never the roles created here;
        # the perimeter names an exempt created role in a condition, which AWS does not resolve.
        self.consumers = self._consumers() if settings.consumers else None
        self.register_outputs({
            "keyArn": self.key.arn,
            "keyAlias": self.key.alias_name,
            "logsBucket": self.logs.bucket_name,
            "zoneBuckets": {z: b.bucket_name for z, b in self.zones.items()},
            "vpcEndpoint": self.network.endpoint_id,
        })

    def _key(self) -> LakeKey:
        s = self._settings
        return LakeKey(
            "lake-key",
            LakeKeyArgs(
                alias=f"{s.name}-{s.stack}",
                environment=self._env,
                administrators=s.administrators,
                deletion_window_days=s.key.deletion_window_days,
                protect=s.production,
                tags=self._tags,
                # The catalog is encrypted with the key: every catalog client uses it through Glue.
                via_services=("glue",),
                log_groups=(CRAWLER_LOG_GROUPS,) if s.datasets else (),
                crawler_role_arns=[role.arn for role in self._roles.values()],
                **external_key_options(s),
            ),
            opts=self._child,
        )

    def _logs(self) -> LogsBucket:
        s = self._settings
        return LogsBucket(
            "logs",
            LogsBucketArgs(
                bucket_name=logs_bucket_name(s.name, s.stack),
                source_bucket_names=(*self._zone_names.values(), self._results_name),
                environment=self._env,
                lifecycle=s.logs.lifecycle,
                protect=s.production,
                tags={**self._tags, "zone": "logs"},
                flow_logs=s.network.vpc_id is None,  # the lake creates the VPC: its flow logs come here
            ),
            opts=self._child,
        )

    def _network(self) -> LakeNetwork:
        s = self._settings
        lake_buckets = (*self._zone_names.values(), self._results_name, logs_bucket_name(s.name, s.stack))
        return LakeNetwork(
            "network",
            LakeNetworkArgs(s.network, self._env, (*lake_buckets, *s.network.allowed_buckets), self._tags,
                            flow_logs=None if s.network.vpc_id else self.logs.flow_log_target()),
            opts=self._child,
        )

    def _perimeter_exempt(self) -> pulumi.Output[list[str]]:
        """Who may reach a zone bucket from outside the endpoint: administrators and deployer
        (nobody is locked out), crawler roles (Glue reads from its own network with their own
        credentials), AWS service-linked roles (Config, Macie, Access Analyzer) and the consumers
        that say ``requireEndpoint: false``."""
        s, env = self._settings, self._env
        people = [*s.administrators, *([s.deployer] if s.deployer else [])]
        derived = pulumi.Output.all(env.partition, env.account_id).apply(
            lambda v: [service_linked_roles(v[0], v[1]), *perimeter_exempt_consumers(s, v[0], v[1])])
        return pulumi.Output.all(*people, *[r.arn for r in self._roles.values()], derived).apply(
            lambda arns: sorted({*arns[:-1], *arns[-1]}))  # the deployer may also be an administrator

    def _zone(self, zone) -> SecureBucket:
        s = self._settings
        perimeter = s.perimeter_enabled
        return SecureBucket(
            zone.name,
            SecureBucketArgs(
                bucket_name=self._zone_names[zone.name],
                kms_key_arn=self.key.arn,
                access_logs=self.logs.access_log_target(),
                lifecycle=zone.lifecycle,
                require_sse_header=s.require_sse_header,
                protect=s.production,
                tags={**self._tags, "zone": zone.name},
                perimeter_endpoint_ids=self.network.endpoint_id.apply(lambda e: [e]) if perimeter else None,
                perimeter_exempt_arns=self._perimeter_exempt() if perimeter else [],
                consumer_statements=self._env.bucket_arn(self._zone_names[zone.name]).apply(
                    lambda arn: zone_statements(s, zone.name, arn)),
            ),
            opts=self._child,
        )

    def _catalog(self) -> LakeCatalog:
        s = self._settings
        return LakeCatalog(
            "catalog",
            LakeCatalogArgs(s.name, s.stack, self.zones, s.datasets, self._roles, self.key.arn, self._env,
                            s.production, self._tags),
            opts=self._child,
        )

    def _query(self) -> QueryWorkgroup:
        s = self._settings
        return QueryWorkgroup(
            "query",
            QueryWorkgroupArgs(
                workgroup_name=f"{s.name}-{s.stack}",
                results_bucket_name=self._results_name,
                kms_key_arn=self.key.arn,
                access_logs=self.logs.access_log_target(),
                settings=s.athena,
                protect=s.production,
                tags={**self._tags, "zone": "query-results"},
            ),
            opts=self._child,
        )

    def _consumers(self) -> LakeConsumers:
        s = self._settings
        return LakeConsumers(
            "consumers",
            LakeConsumersArgs(
                settings=s,
                environment=self._env,
                key_arn=self.key.arn,
                zone_bucket_arns={zone: bucket.arn for zone, bucket in self.zones.items()},
                databases={zone: database.name for zone, database in self.catalog.databases.items()},
                workgroup=self.query.workgroup_name,
                results_bucket_arn=self.query.results.arn,
                results_prefix=RESULTS_PREFIX,
                endpoint_id=self.network.endpoint_id,
                protect=s.production,
                tags=self._tags,
            ),
            opts=self._child,
        )
