"""From raw config values to validated settings: the schema first, then the semantic checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.settings import LakeSettings
from lake.config.build import build_settings
from lake.config.consumers import consumer_problems
from lake.config.problems import NAMESPACE, ConfigError, ConfigProblem, of_severity, sorted_problems
from lake.config.aws_provider import REGION_KEY, administrator_account_problems, allowed_accounts, provider_problems
from lake.config.namespaces import namespace_problems
from lake.config.schema import schema_problems
from lake.config.semantics import semantic_problems
from lake.config.tags import tag_problems


@dataclass(frozen=True)
class LoadedConfig:
    settings: LakeSettings
    warnings: list[ConfigProblem]
    region: str | None
    # aws:allowedAccountIds: the accounts the AWS provider will agree to deploy into.
    allowed_account_ids: tuple[str, ...] = ()


def namespace_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"datalake:name": "ml", "aws:region": ...}`` -> ``{"name": "ml"}``: the lake's keys only."""
    prefix = f"{NAMESPACE}:"
    return {key.removeprefix(prefix): value for key, value in values.items() if key.startswith(prefix)}


def load_settings(values: Mapping[str, Any], stack: str, source: str) -> LoadedConfig:
    """Validate the config ``values`` (full keys, native values) of ``stack`` read from ``source``.

    Raises ConfigError listing every error. Semantic checks run only on a schema-valid config:
    on a broken one they would mostly repeat the schema's complaints.
    """
    own = namespace_values(values)
    _raise_on_errors(
        source,
        namespace_problems(values, (NAMESPACE,))
        + provider_problems(values)
        + schema_problems(own)
        + tag_problems(own.get("tags")),
    )
    settings = build_settings(own, stack)
    region = values.get(REGION_KEY)
    own_accounts = tuple(allowed_accounts(values) or ())
    problems = _raise_on_errors(
        source,
        semantic_problems(own, settings, region)
        + administrator_account_problems(settings.administrators, values)
        + consumer_problems(settings, own_accounts),
    )
    return LoadedConfig(settings, of_severity(problems, "warning"), region, own_accounts)


def _raise_on_errors(source: str, problems: list[ConfigProblem]) -> list[ConfigProblem]:
    problems = sorted_problems(problems)
    errors = of_severity(problems, "error")
    if errors:
        raise ConfigError(source, errors)
    return problems
