"""Run the Pulumi program offline and collect what it declared."""

from __future__ import annotations

import json
import logging
import runpy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.settings import ROOT
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.settings import LakeSettings
from lake.config import ConfigError, ConfigProblem, load_settings, read_stack_values

from .mocks import DEFAULT_ACCOUNT_ID, LakeMocks, MockEnvironment
from .recorder import RecordedResource, RecordingMonitor

PROGRAM = "__main__.py"


class PlanError(Exception):
    """The stack cannot be planned: bad config or a program that stopped with pulumi.RunError."""


@dataclass
class Plan:
    project: str
    stack: str
    environment: MockEnvironment
    settings: LakeSettings
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    # What the program logged at warning level or above (config warnings, deprecations).
    warnings: list[str] = field(default_factory=list)


class _ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def runtime_config(values: dict[str, Any]) -> dict[str, str]:
    """Config as the engine hands it to a program: strings, structured values as JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


@dataclass
class Recording:
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    warnings: list[str]


def record(
    declare: Callable[[], None], project: str, stack: str, config: dict[str, str], env: MockEnvironment
) -> Recording:
    """Call ``declare`` in a fresh mock runtime and record every resource it registers.

    Used for the whole program (``run_program``) and, in tests, for single components.
    """
    monitor = RecordingMonitor(LakeMocks(env))
    engine_log = logging.getLogger(f"lake.plan.engine.{id(monitor)}")
    engine_log.propagate = False
    handler = _ListHandler()
    engine_log.addHandler(handler)
    ROOT.set(None)
    pulumi.runtime.set_all_config(config, [])
    pulumi.runtime.set_mocks(
        monitor.mocks, project=project, stack=stack, preview=False, logger=engine_log, monitor=monitor
    )
    root = pulumi.runtime.get_root_resource()
    outputs: dict[str, Any] = {}

    def run() -> None:
        declare()
        outputs.update(_sync_await(pulumi.Output.from_input(root.outputs).future()) or {})

    try:
        _sync_await(run_pulumi_func(run))
    except pulumi.RunError as error:
        raise PlanError(str(error)) from None
    finally:
        engine_log.removeHandler(handler)
    return Recording(monitor.records, outputs, handler.messages)


def run_program(
    program: Path, project: str, stack: str, config: dict[str, str], env: MockEnvironment
) -> Recording:
    """Run the Pulumi program file as the Python language host would."""
    program_dir = str(program.parent.resolve())
    if program_dir not in sys.path:
        sys.path.insert(0, program_dir)
    return record(lambda: runpy.run_path(str(program), run_name="__main__"), project, stack, config, env)


def plan_stack(
    project_dir: Path, stack: str, account_id: str | None = None, config_file: Path | None = None
) -> Plan:
    """Validate the stack's config, then run the program offline. Raises ConfigError, PlanError.

    The account defaults to the stack's first ``aws:allowedAccountIds`` entry, else
    DEFAULT_ACCOUNT_ID; an account the stack does not allow is refused, as the provider would.
    """
    source = config_file.name if config_file else f"Pulumi.{stack}.yaml"
    project, values = read_stack_values(project_dir, stack, config_file)
    loaded = load_settings(values, stack=stack, source=source)
    if loaded.region is None:
        raise ConfigError(
            source,
            [ConfigProblem("aws:region", "is not set; the plan needs the region the stack deploys to", "error")],
        )
    account_id = account_id or next(iter(loaded.allowed_account_ids), DEFAULT_ACCOUNT_ID)
    if loaded.allowed_account_ids and account_id not in loaded.allowed_account_ids:
        raise ConfigError(source, [ConfigProblem(
            "aws:allowedAccountIds",
            f"does not include the plan's account {account_id} ({', '.join(loaded.allowed_account_ids)}); "
            "the AWS provider would refuse to deploy there",
        )])
    env = MockEnvironment(account_id=account_id, region=loaded.region)
    program = project_dir / PROGRAM
    if not program.is_file():
        raise PlanError(
            f"no {PROGRAM} in {project_dir.resolve()}: --project-dir must name the folder of the Pulumi program"
        )
    run = run_program(program, project, stack, runtime_config(values), env)
    return Plan(project, stack, env, loaded.settings, run.resources, run.outputs, run.warnings)
