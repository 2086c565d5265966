"""The data lake program: validate the stack config, declare the lake, export what clients need.

Run for real with `pulumi preview` / `pulumi up`; offline with `lake plan --stack dev`.
"""

import pulumi

from components.data_lake import DataLake
from lake.config import ConfigError, load_settings, values_from_runtime

stack = pulumi.get_stack()
try:
    loaded = load_settings(values_from_runtime(f"Pulumi.{stack}.yaml"), stack=stack, source=f"Pulumi.{stack}.yaml")
except ConfigError as error:
    # RunError ends the program with the message alone: no traceback, no resource declared.
    raise pulumi.RunError(str(error)) from None
for warning in loaded.warnings:
    pulumi.log.warn(str(warning))

lake = DataLake(loaded.settings.name, loaded.settings)

pulumi.export("zoneBuckets", {zone: {"name": b.bucket_name, "arn": b.arn} for zone, b in lake.zones.items()})
pulumi.export("keyArn", lake.key.arn)
pulumi.export("keyAlias", lake.key.alias_name)
pulumi.export("logsBucket", {"name": lake.logs.bucket_name, "arn": lake.logs.arn})
# With the exports above, `pulumi stack output --json` tells `lake audit --stack-outputs` every bucket.
pulumi.export("queryResultsBucket", {"name": lake.query.results.bucket_name, "arn": lake.query.results.arn})
# What each consumer is given, with the identity policy to attach (an external consumer's account
# needs it); declared only by a stack that has consumers.
if lake.consumers is not None:
    pulumi.export("consumers", lake.consumers.exports)
