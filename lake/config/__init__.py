"""The stack configuration layer: ``Pulumi.<stack>.yaml`` -> validated ``LakeSettings``.

Validation happens in two steps: the JSON Schema (``schema.json``: keys, types, ranges), then
semantic checks (lifecycle rules of S3, bucket names, production requirements, the network, the
datasets and their cron schedules, the consumers and the accounts trusted with them). Every problem
is reported at once with the config key path, e.g.
``Pulumi.dev.yaml: datalake:zones[1].lifecycle.transitions[0].days: ...``.
"""

from lake.config.load import LoadedConfig, load_settings
from lake.config.problems import NAMESPACE, ConfigError, ConfigProblem
from lake.config.sources import StackRef, parse_stack, read_stack_values, values_from_runtime
from lake.config.table import config_table_markdown

__all__ = [
    "NAMESPACE",
    "ConfigError",
    "ConfigProblem",
    "LoadedConfig",
    "StackRef",
    "config_table_markdown",
    "load_settings",
    "parse_stack",
    "read_stack_values",
    "values_from_runtime",
]
