"""Where config values come from: the Pulumi runtime during a deployment, the YAML files otherwise.

Both return the same shape, ``{"datalake:name": "ml", "aws:region": "eu-west-1", ...}`` with
native values, so one validation serves ``pulumi up`` and the offline tools alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import config as pulumi_config

from lake.config.load import namespace_values
from lake.config.messages import describe
from lake.config.problems import NAMESPACE, ConfigError, ConfigProblem, key_path
from lake.config.aws_provider import REGION_KEY
from lake.config.schema import top_level_type

PROJECT_FILE = "Pulumi.yaml"


def values_from_runtime() -> dict[str, Any]:
    """The stack config as the running program sees it, with structured values decoded.

    The engine hands every value over as a string, JSON-encoded unless it is a plain string.
    Only keys the schema types as non-strings are decoded, so a lake named "123" stays a string;
    a value that is not JSON stays a string, for the schema to report.
    """
    merged = {**pulumi_config.get_config_env(), **pulumi_config.CONFIG.get()}
    decoded = {f"{NAMESPACE}:{key}": _decoded(key, value) for key, value in namespace_values(merged).items()}
    return {**merged, **decoded}


def _decoded(key: str, value: Any) -> Any:
    if not isinstance(value, str) or top_level_type(key) in (None, "string"):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def read_stack_values(
    project_dir: Path, stack: str, config_file: Path | None = None
) -> tuple[str, dict[str, Any]]:
    """``(project name, values)`` from ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``.

    Project-level values are defaults that the stack file overrides, as in Pulumi. Short keys
    (``production``) belong to the project's namespace. ``config_file`` replaces the stack file,
    like ``pulumi --config-file``. Raises ConfigError naming the file.
    """
    project = _read_mapping(project_dir / PROJECT_FILE)
    name = _project_name(project)
    defaults = _project_values(name, _config_section(PROJECT_FILE, project))
    stack_file = config_file or Path(project_dir, str(project.get("stackConfigDir") or ""), f"Pulumi.{stack}.yaml")
    stack_config = _config_section(stack_file.name, _read_mapping(stack_file))
    values = {_full_key(name, key): _string_keys(value) for key, value in stack_config.items()}
    _refuse_secrets(stack_file.name, name, values)
    return name, {**defaults, **values}


def _project_name(project: Mapping[str, Any]) -> str:
    """The project name is the namespace of the project's own config keys."""
    name = project.get("name")
    if name is None:
        raise ConfigError(PROJECT_FILE, [ConfigProblem("name", "required key is missing")])
    if not isinstance(name, str) or not name:
        raise ConfigError(PROJECT_FILE, [ConfigProblem("name", f"expected a project name, got {describe(name)}")])
    return name


def _read_mapping(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path``; an empty file is an empty mapping."""
    if not path.is_file():
        raise ConfigError(path.name, [ConfigProblem("", f"file not found in {path.resolve().parent}")])
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(path.name, [_yaml_problem(error)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path.name, [ConfigProblem("", f"cannot be read: {error}")]) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(path.name, [ConfigProblem("", f"expected a mapping at the top of the file, got {describe(document)}")])
    return document


def _yaml_problem(error: yaml.YAMLError) -> ConfigProblem:
    """Position and reason only: PyYAML's full text repeats the position with a code excerpt."""
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return ConfigProblem(where, f"invalid YAML: {getattr(error, 'problem', None) or error}")


def _config_section(source: str, document: Mapping[str, Any]) -> dict[str, Any]:
    section = document.get("config")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError(source, [ConfigProblem("config", f"expected a mapping of keys to values, got {describe(section)}")])
    return section


def _full_key(project: str, key: Any) -> str:
    key = str(key)
    return key if ":" in key else f"{project}:{key}"


def _string_keys(value: Any) -> Any:
    """YAML allows ``7: x`` as a key; Pulumi config (JSON) only has string keys."""
    if isinstance(value, dict):
        return {str(key): _string_keys(child) for key, child in value.items()}
    if isinstance(value, list):
        return [_string_keys(child) for child in value]
    return value


def _project_values(project: str, section: Mapping[str, Any]) -> dict[str, Any]:
    """Values of ``Pulumi.yaml``'s ``config``: a plain value, or a declaration with a default.

    A declaration without ``value`` or ``default`` only types the key: it sets nothing.
    """
    values = {}
    for key, entry in section.items():
        if not isinstance(entry, dict):
            values[_full_key(project, key)] = _string_keys(entry)
        elif "value" in entry or "default" in entry:
            values[_full_key(project, key)] = _string_keys(entry.get("value", entry.get("default")))
    return values


def _refuse_secrets(source: str, project: str, values: Mapping[str, Any]) -> None:
    """Encrypted values of the lake's keys cannot be read without the engine, and none are needed.

    Other namespaces' secrets (``aws:secretKey``) are not ours to read and pass through untouched.
    """
    problems = [
        ConfigProblem(path, "is encrypted (secure), which only a Pulumi run can read; "
                            "the lake's settings are not secret: set it without --secret")
        for key, value in values.items()
        if key.startswith(f"{project}:") or key == REGION_KEY
        for path in _secure_paths(key, value, ())
    ]
    if problems:
        raise ConfigError(source, problems)


def _secure_paths(key: str, value: Any, parts: tuple[str | int, ...]) -> Iterator[str]:
    """Paths of ``{secure: ...}`` values, which Pulumi also allows inside structured values."""
    if isinstance(value, dict) and list(value) == ["secure"]:
        namespace, _, name = key.partition(":")
        yield key_path(namespace, (name, *parts))
    elif isinstance(value, dict):
        for child_key, child in value.items():
            yield from _secure_paths(key, child, (*parts, str(child_key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _secure_paths(key, child, (*parts, index))
