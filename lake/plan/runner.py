"""Run the Pulumi program offline and collect what it declared."""

from __future__ import annotations

import asyncio
import json
import logging
import runpy
import sys
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime.settings import ROOT
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from components.settings import LakeSettings
from lake.config import ConfigError, ConfigProblem, load_settings, parse_stack, read_stack_values
from lake.errors import InputError, ProgramError

from .mocks import DEFAULT_ACCOUNT_ID, LakeMocks, MockEnvironment
from .recorder import RecordedResource, RecordingMonitor

PROGRAM = "__main__.py"
# How long cancelled runtime tasks get to finish once the program ended (or was interrupted).
CLOSE_TIMEOUT_SECONDS = 2.0


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
    # The runtime's own event loop, and one per executor thread (MockMonitor's RPCs run there and
    # call pulumi's _ensure_event_loop, which would otherwise create a loop per thread and never
    # close it): all closed below whatever happens. Loops left to the garbage collector at exit
    # print "Exception ignored in BaseEventLoop.__del__ ... Invalid file descriptor" under load.
    loop = asyncio.new_event_loop()
    thread_loops: list[asyncio.AbstractEventLoop] = []

    def give_thread_a_loop() -> None:
        thread_loop = asyncio.new_event_loop()
        thread_loop.set_exception_handler(_quiet)
        asyncio.set_event_loop(thread_loop)
        thread_loops.append(thread_loop)

    loop.set_exception_handler(_quiet)
    loop.set_default_executor(ThreadPoolExecutor(thread_name_prefix="lake-plan-rpc", initializer=give_thread_a_loop))
    asyncio.set_event_loop(loop)
    try:
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

        # The coroutine itself, not a task made beforehand: run_until_complete then consumes a
        # KeyboardInterrupt or SystemExit it ends with, instead of logging it as never retrieved.
        loop.run_until_complete(run_pulumi_func(run))
    except pulumi.RunError as error:
        raise PlanError(str(error)) from None
    finally:
        engine_log.removeHandler(handler)
        _close(loop, thread_loops)
    return Recording(monitor.records, outputs, handler.messages)


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The runtime's loop reports nothing on stderr ("Task was destroyed but it is pending!" after
    a failed or interrupted program): what matters is raised from run_until_complete."""
    logging.getLogger("lake.plan.asyncio").debug("%s", context.get("message"))


def _close(loop: asyncio.AbstractEventLoop, thread_loops: list[asyncio.AbstractEventLoop]) -> None:
    """Cancel what the program left running, stop the executor's threads, close every loop."""
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=CLOSE_TIMEOUT_SECONDS))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    except Exception:  # noqa: BLE001 - never hide the program's own outcome behind the clean-up's
        logging.getLogger("lake.plan.asyncio").debug("closing the runtime's loop failed", exc_info=True)
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        for thread_loop in thread_loops:  # their threads have ended (or are ending): never running
            if not thread_loop.is_running():
                thread_loop.close()


def run_program(
    program: Path, project: str, stack: str, config: dict[str, str], env: MockEnvironment
) -> Recording:
    """Run the Pulumi program file as the Python language host would.

    An exception in the program, or the program calling ``sys.exit``, is a ProgramError (exit 3)
    naming the exception and where in the program it was raised; its configuration errors
    (ConfigError, or pulumi.RunError: PlanError) and Ctrl-C pass unchanged.
    """
    program_dir = str(program.parent.resolve())
    if program_dir not in sys.path:
        sys.path.insert(0, program_dir)
    try:
        return record(lambda: runpy.run_path(str(program), run_name="__main__"), project, stack, config, env)
    except (PlanError, ConfigError, InputError):
        raise
    except SystemExit as exit:
        code = "" if exit.code is None else repr(exit.code)
        raise ProgramError(
            f"the Pulumi program called sys.exit({code})",
            "a Pulumi program ends by returning; to stop it with a message, raise pulumi.RunError(message)",
        ) from None
    except Exception as error:
        if _raised_in(error, Path(__file__).parent):
            raise  # the mock runtime's own bug, not the program's
        where = _program_frame(error, Path(program_dir))
        detail = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        raise ProgramError(f"the Pulumi program failed: {detail}".replace("\n", " ") + where) from error


def _frames(error: BaseException) -> list[traceback.FrameSummary]:
    return list(traceback.extract_tb(error.__traceback__))


def _inside(filename: str, folder: Path) -> bool:
    path = Path(filename)
    return path.is_absolute() and path.is_relative_to(folder) and not (
        {"site-packages", "dist-packages"} & set(path.relative_to(folder).parts))


def _raised_in(error: BaseException, folder: Path) -> bool:
    frames = _frames(error)
    return bool(frames) and _inside(frames[-1].filename, folder.resolve())


def _program_frame(error: BaseException, program_dir: Path) -> str:
    """`` (at __main__.py:12)``: the innermost frame in the program's own files, if any."""
    for frame in reversed(_frames(error)):
        if _inside(frame.filename, program_dir):
            return f" (at {Path(frame.filename).relative_to(program_dir).as_posix()}:{frame.lineno})"
    return ""


def plan_stack(
    project_dir: Path, stack: str, account_id: str | None = None, config_file: Path | None = None
) -> Plan:
    """Validate the stack's config, then run the program offline. Raises ConfigError, PlanError.

    The account defaults to the stack's first ``aws:allowedAccountIds`` entry, else
    DEFAULT_ACCOUNT_ID; an account the stack does not allow is refused, as the provider would.
    """
    # "acme/datalake/dev" (Pulumi's qualified form) is stack "dev", as pulumi.get_stack() says.
    ref, stack = stack, parse_stack(stack).name
    source = config_file.name if config_file else f"Pulumi.{stack}.yaml"
    project, values = read_stack_values(project_dir, ref, config_file)
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
