"""Builders and assertions shared by the config tests: no Pulumi engine, plain dicts in, lines out."""

from __future__ import annotations

from typing import Any

import pytest

from lake.config import ConfigError, load_settings

SOURCE = "Pulumi.dev.yaml"
STACK = "dev"


def lake(**keys: Any) -> dict[str, Any]:
    """Config values of the ``datalake`` namespace, the lake named ``ml`` unless ``name`` is given."""
    return {f"datalake:{key}": value for key, value in {"name": "ml", **keys}.items()}


def zone(name: str = "raw", **lifecycle: Any) -> dict[str, Any]:
    """A zone entry; keyword arguments form its lifecycle."""
    return {"name": name, "lifecycle": lifecycle} if lifecycle else {"name": name}


def transitions(*steps: tuple[int, str]) -> list[dict[str, Any]]:
    return [{"days": days, "storageClass": storage_class} for days, storage_class in steps]


def error_lines(values: dict[str, Any], stack: str = STACK) -> list[str]:
    """The lines a user sees for a rejected config; fails the test if the config is accepted."""
    with pytest.raises(ConfigError) as caught:
        load_settings(values, stack, SOURCE)
    assert caught.value.source == SOURCE
    assert {problem.severity for problem in caught.value.problems} == {"error"}
    return str(caught.value).splitlines()


def warning_lines(values: dict[str, Any], stack: str = STACK) -> list[str]:
    """The warnings of an accepted config; fails the test (ConfigError) if it is rejected."""
    warnings = load_settings(values, stack, SOURCE).warnings
    assert {problem.severity for problem in warnings} <= {"warning"}
    return [str(problem) for problem in warnings]


def dataset(name: str, zone: str = "raw", prefix: str | None = None, **keys: Any) -> dict[str, Any]:
    """A dataset entry, its prefix ``<name>/`` unless given; keyword arguments are further keys."""
    return {"name": name, "zone": zone, "prefix": f"{name}/" if prefix is None else prefix, **keys}
