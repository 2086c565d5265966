"""Where config values come from: the Pulumi runtime during a deployment, the YAML files otherwise.

Both return the same shape, ``{"datalake:name": "ml", "aws:region": "eu-west-1", ...}`` with
native values, so one validation serves ``pulumi up`` and the offline tools alike.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi.runtime import config as pulumi_config

from lake.config.documents import DocumentProblems, NestingError, load_yaml, loads_json
from lake.config.load import namespace_values
from lake.config.messages import describe, did_you_mean
from lake.config.namespaces import namespace_problems
from lake.config.problems import NAMESPACE, ConfigError, ConfigProblem, key_path
from lake.config.aws_provider import REGION_KEY
from lake.config.schema import top_level_type

PROJECT_FILE = "Pulumi.yaml"
RUNTIME = "python"

# Pulumi's names (pkg/backend: stackNameAndProjectRegexp, and the service's stackOwnerRegexp):
# "Stack names may only contain alphanumeric characters, hyphens, underscores, or periods"
# (https://www.pulumi.com/docs/iac/concepts/stacks/), at most 100 of them; organizations have 3
# to 40 letters, digits, '-' or '_', starting and ending with a letter or digit. ASCII only.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_PROJECT_NAME = _STACK_NAME
_OWNER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{1,38}[A-Za-z0-9]")
_STACK_RULE = "letters, digits, '-', '_' and '.', at most 100 (Pulumi's rule)"


@dataclass(frozen=True)
class StackRef:
    """``--stack dev``, ``acme/dev`` or ``acme/datalake/dev``: Pulumi's short and qualified forms."""

    name: str
    owner: str | None = None
    project: str | None = None


def parse_stack(ref: str) -> StackRef:
    """The stack ``ref`` names, checked against Pulumi's naming rules before any file is read.

    Raises ConfigError (a usage error: it names no file).
    """
    parts = ref.split("/")
    if len(parts) > 3:
        raise _stack_error(ref, "expected STACK, ORG/STACK or ORG/PROJECT/STACK")
    *qualifiers, name = parts
    owner, project = (qualifiers + [None, None])[:2]
    if owner is not None and not _OWNER_NAME.fullmatch(owner):
        raise _stack_error(ref, f"organization {owner!r} must have 3 to 40 letters, digits, '-' or '_', "
                                "starting and ending with a letter or digit (Pulumi's rule)")
    if project is not None and not _PROJECT_NAME.fullmatch(project):
        raise _stack_error(ref, f"a project name has only {_STACK_RULE}")
    if not _STACK_NAME.fullmatch(name):
        raise _stack_error(ref, f"a stack name has only {_STACK_RULE}")
    return StackRef(name, owner, project)


def _stack_error(ref: str, reason: str) -> ConfigError:
    return ConfigError("", [ConfigProblem("", f"invalid stack {ref!r}: {reason}")])


def values_from_runtime(source: str = "the stack config") -> dict[str, Any]:
    """The stack config as the running program sees it, with structured values decoded.

    The engine hands every value over as a string, JSON-encoded unless it is a plain string.
    Only keys the schema types as non-strings are decoded, so a lake named "123" stays a string;
    a value that is not JSON stays a string, for the schema to report. A JSON value nested deeper
    than the config ever is raises ConfigError naming ``source`` (``Pulumi.<stack>.yaml``).
    """
    merged = {**pulumi_config.get_config_env(), **pulumi_config.CONFIG.get()}
    decoded, problems = {}, []
    for key, value in namespace_values(merged).items():
        try:
            decoded[f"{NAMESPACE}:{key}"] = _decoded(key, value)
        except NestingError as error:
            problems.append(ConfigProblem(key_path(NAMESPACE, (key,)), f"its JSON value is {error}"))
    if problems:
        raise ConfigError(source, problems)
    return {**merged, **decoded}


def _decoded(key: str, value: Any) -> Any:
    if not isinstance(value, str) or top_level_type(key) in (None, "string"):
        return value
    try:
        return loads_json(value)
    except json.JSONDecodeError:
        return value


def read_stack_values(
    project_dir: Path, stack: str, config_file: Path | None = None
) -> tuple[str, dict[str, Any]]:
    """``(project name, values)`` from ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``.

    Project-level values are defaults that the stack file overrides, as in Pulumi. Short keys
    (``production``) belong to the project's namespace. ``config_file`` replaces the stack file,
    like ``pulumi --config-file``. ``stack`` may be qualified (``acme/datalake/dev``: see
    parse_stack); its file is ``Pulumi.<name>.yaml`` all the same, as in Pulumi. Raises ConfigError
    naming the file, or naming no file for a stack that does not exist.
    """
    ref = parse_stack(stack)
    project = _read_mapping(project_dir / PROJECT_FILE)
    name = _project_name(project)
    if ref.project is not None and ref.project != name:
        raise ConfigError("", [ConfigProblem("", (
            f"stack {stack!r} belongs to project {ref.project!r}, but {(project_dir / PROJECT_FILE).resolve()} "
            f"is project {name!r}"
        ))])
    own = {NAMESPACE, name}
    defaults = _project_values(name, _config_section(PROJECT_FILE, project))
    _refuse_namespace_typos(PROJECT_FILE, defaults, own)
    stack_file = config_file or _stack_file(project_dir, project, ref, stack)
    document = _read_mapping(stack_file, lambda key: _full_key(name, key))
    stack_config = _config_section(stack_file.name, document)
    values = {_full_key(name, key): _string_keys(value) for key, value in stack_config.items()}
    _refuse_namespace_typos(stack_file.name, values, own)
    _refuse_secrets(stack_file.name, name, values)
    return name, {**defaults, **values}


def _stack_file(project_dir: Path, project: Mapping[str, Any], ref: StackRef, stack: str) -> Path:
    """``Pulumi.<stack>.yaml`` in the stack config folder; if there is none, the stacks there."""
    folder = Path(project_dir, str(project.get("stackConfigDir") or ""))
    path = folder / f"Pulumi.{ref.name}.yaml"
    if path.exists():
        return path
    names = (found.name.removeprefix("Pulumi.").removesuffix(".yaml") for found in folder.glob("Pulumi.*.yaml"))
    stacks = sorted(name for name in names if _STACK_NAME.fullmatch(name))
    here = f"stacks here: {', '.join(stacks)}{did_you_mean(ref.name, stacks)}" if stacks else "no stack here"
    raise ConfigError("", [ConfigProblem("", f"no stack {stack!r} in {folder.resolve()}: {path.name} not found; {here}")])


def _refuse_namespace_typos(source: str, values: Mapping[str, Any], own: set[str]) -> None:
    problems = namespace_problems(values, own)
    if problems:
        raise ConfigError(source, problems)


def _project_name(project: Mapping[str, Any]) -> str:
    """The project name is the namespace of the project's own config keys; the runtime is Python."""
    name = project.get("name")
    problems = _runtime_problems(project.get("runtime"))
    if name is None:
        problems.insert(0, ConfigProblem("name", "required key is missing"))
    elif not isinstance(name, str) or not name:
        problems.insert(0, ConfigProblem("name", f"expected a project name, got {describe(name)}"))
    if problems:
        raise ConfigError(PROJECT_FILE, problems)
    return name


def _runtime_problems(runtime: Any) -> list[ConfigProblem]:
    """``runtime: python`` or ``runtime: {name: python, options: ...}``: the lake is a Python program."""
    path, name = ("runtime.name", runtime.get("name")) if isinstance(runtime, dict) else ("runtime", runtime)
    if name is None:
        return [ConfigProblem(path, f"required key is missing: the lake is a Python program (runtime: {RUNTIME})")]
    if name != RUNTIME:
        return [ConfigProblem(path, f"expected {RUNTIME!r} (the lake is a Python program), got {describe(name)}")]
    return []


def _read_mapping(path: Path, config_key: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The YAML mapping in ``path``; an empty file is an empty mapping.

    ``config_key`` names the keys of its ``config`` section as the config sees them, so that
    ``name`` and ``datalake:name`` count as one key written twice (see documents.load_yaml).
    """
    if not path.exists():
        raise ConfigError(path.name, [ConfigProblem("", f"file not found in {path.resolve().parent}")])
    if not path.is_file():
        raise ConfigError(path.name, [ConfigProblem("", f"cannot be read: not a file ({path.resolve()})")])
    try:
        document = load_yaml(path.read_text(encoding="utf-8"), config_key)
    except yaml.YAMLError as error:
        raise ConfigError(path.name, [_yaml_problem(error)]) from None
    except DocumentProblems as error:
        raise ConfigError(path.name, error.problems) from None
    except OSError as error:
        raise ConfigError(path.name, [ConfigProblem("", f"cannot be read: {error.strerror or error}")]) from None
    except UnicodeDecodeError as error:
        reason = f"cannot be read: not UTF-8 text ({error.reason} at byte {error.start})"
        raise ConfigError(path.name, [ConfigProblem("", reason)]) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(path.name, [ConfigProblem("", f"expected a mapping at the top of the file, got {describe(document)}")])
    return document


def _yaml_problem(error: yaml.YAMLError) -> ConfigProblem:
    """Position and reason only: PyYAML's full text repeats the position with a code excerpt."""
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    if isinstance(error, yaml.reader.ReaderError) and isinstance(error.character, int):
        # No mark, and a str() of two lines ('in "<unicode string>", position 7'): one line.
        return ConfigProblem("", f"invalid YAML: character #x{error.character:04x} at offset {error.position}: "
                                 f"{error.reason}")
    return ConfigProblem(where, f"invalid YAML: {getattr(error, 'problem', None) or ' '.join(str(error).split())}")


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
