"""The Pulumi engine's side of `pulumi preview --policy-pack policies`, played by a test.

No Pulumi CLI can be installed here, so this module does what the engine and the Python language host do
(pulumi/pulumi: pkg/resource/plugin/analyzer_plugin.go, sdk/python/cmd/pulumi-language-python RunPlugin,
sdk/policy_proxy.go):

- start `<python> -u -m pulumi.policy <engine address> <pack folder>` in the pack's folder, with the stack's
  PULUMI_PROJECT, PULUMI_STACK, PULUMI_DRY_RUN and PULUMI_CONFIG in its environment;
- read the port the pack prints on stdout, dial it with the SDK's own gRPC stubs;
- call Handshake (pulumi-policy 1.21 leaves it unimplemented, which the engine accepts), ConfigureStack,
  GetAnalyzerInfo, GetPluginInfo, Configure (every policy at its default enforcement level, as the engine's
  config reconciliation sends it), AnalyzeStack once the preview is complete, and Cancel on close;
- send every resource of the stack as the engine does: its outputs as a google.protobuf.Struct (unknown values
  as the engine's sentinel strings), options, provider, parent, dependencies and property dependencies.

The resources come from the recorded offline plan (docs/plan-format.md) instead of a real preview: see
"The policy pack as the engine runs it" in docs/assurance.md for what that changes.
"""

from __future__ import annotations

import copy
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from tests.support import REPO

PACK_DIR = REPO / "policies"
# pulumi.policy's entry point takes the engine address but neither it nor pulumi-policy ever dials it (the
# runtime is configured without an engine; logs go to stderr), so nothing needs to listen there.
ENGINE_ADDRESS = "127.0.0.1:1"
START_TIMEOUT = 60.0
RPC_TIMEOUT = 120.0
# pulumi-policy raises its limit to 400 MB for the engine's requests; the engine's own channel is as generous.
_CHANNEL_OPTIONS = [("grpc.max_send_message_length", 400 * 1024 * 1024)]
_LEVELS = {pb.ADVISORY: "advisory", pb.MANDATORY: "mandatory", pb.REMEDIATE: "remediate", pb.DISABLED: "disabled"}
_SEVERITIES = {
    pb.POLICY_SEVERITY_UNSPECIFIED: None, pb.POLICY_SEVERITY_LOW: "low", pb.POLICY_SEVERITY_MEDIUM: "medium",
    pb.POLICY_SEVERITY_HIGH: "high", pb.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass(frozen=True)
class PolicySummary:
    """One policy as GetAnalyzerInfo describes it."""

    name: str
    description: str
    enforcement: str
    severity: str | None
    stack_policy: bool
    tags: tuple[str, ...]
    url: str
    remediation_steps: str


@dataclass(frozen=True)
class Violation:
    """One AnalyzeStack diagnostic, as `pulumi preview` shows it."""

    policy: str
    message: str
    urn: str
    enforcement: str


@dataclass(frozen=True)
class Analysis:
    violations: list[Violation]
    not_applicable: dict[str, str]  # policy name -> reason


@dataclass(frozen=True)
class StackIdentity:
    """What the engine tells the pack about the stack (ConfigureStack and the pack's environment)."""

    project: str
    stack: str
    config: dict[str, str]  # "datalake:zones" -> its value, JSON-encoded unless a string, as Pulumi passes it


def stack_identity(project: str, stack: str, values: dict[str, Any]) -> StackIdentity:
    config = {key: value if isinstance(value, str) else json.dumps(value) for key, value in values.items()}
    return StackIdentity(project, stack, config)


class PolicyPackProcess:
    """The pack as a subprocess and a gRPC client of it; use as a context manager (it always ends the process)."""

    def __init__(self, identity: StackIdentity, log_dir: Path):
        self.identity = identity
        self.stderr_path = log_dir / "policy-pack.stderr"
        self.stdout_lines: list[str] = []  # what the pack printed after its port
        self.handshake_implemented: bool | None = None
        self.plugin_version = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._info: pb.AnalyzerInfo | None = None

    def __enter__(self) -> PolicyPackProcess:
        try:
            self._start()
            self._attach()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def command(self) -> list[str]:
        """What the Python language host runs for a policy pack (the pack's virtualenv: ours, see docs)."""
        return [sys.executable, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS, str(PACK_DIR)]

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "PULUMI_PROJECT": self.identity.project,
            "PULUMI_STACK": self.identity.stack,
            "PULUMI_DRY_RUN": "true",
            "PULUMI_CONFIG": json.dumps(self.identity.config),
        }

    def _start(self) -> None:
        with self.stderr_path.open("wb") as stderr:
            self._process = subprocess.Popen(
                self.command(), cwd=PACK_DIR, env=self.environment(), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=stderr,
            )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read_stdout, args=(lines,), daemon=True).start()
        try:
            port = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            waited = f"{START_TIMEOUT:.0f} s"
            raise RuntimeError(f"the policy pack printed no port within {waited}{self._stderr()}") from None
        if port is None or not port.strip().isdigit():
            raise RuntimeError(f"the policy pack printed {port!r} instead of its port{self._stderr()}")
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port.strip()}", options=_CHANNEL_OPTIONS)
        grpc.channel_ready_future(self._channel).result(timeout=START_TIMEOUT)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def _read_stdout(self, lines: queue.Queue[str | None]) -> None:
        """The first line is the port; the rest is kept (the engine copies it to its log), so the pipe never fills."""
        assert self._process is not None and self._process.stdout is not None
        for number, raw in enumerate(self._process.stdout):
            line = raw.decode(errors="replace").rstrip("\n")
            if number == 0:
                lines.put(line)
            else:
                self.stdout_lines.append(line)
        lines.put(None)

    def _stderr(self) -> str:
        text = self.stderr_path.read_text(errors="replace") if self.stderr_path.exists() else ""
        return f"; its stderr:\n{text}" if text else ""

    def _attach(self) -> None:
        """The engine's calls after dialling, in its order (NewPolicyAnalyzer, then LoadLocalPolicyPackAnalyzers)."""
        self.handshake_implemented = self._handshake()
        self._call("ConfigureStack", pb.AnalyzerStackConfigureRequest(
            stack=self.identity.stack, project=self.identity.project, dry_run=True, config=self.identity.config,
        ))
        self._info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        self.plugin_version = self._call("GetPluginInfo", empty_pb2.Empty()).version
        self.configure({})

    def _handshake(self) -> bool:
        request = pb.AnalyzerHandshakeRequest(
            engine_address=ENGINE_ADDRESS, root_directory=str(PACK_DIR), program_directory=str(PACK_DIR),
        )
        try:
            self._call("Handshake", request)
        except grpc.RpcError as error:
            if error.code() is grpc.StatusCode.UNIMPLEMENTED:  # the engine falls back to its older behaviour
                return False
            raise
        return True

    def _call(self, method: str, request: Any) -> Any:
        assert self._stub is not None, "the policy pack is not running"
        return getattr(self._stub, method)(request, timeout=RPC_TIMEOUT)

    def info(self) -> tuple[str, list[PolicySummary]]:
        """The pack's name and its policies, as GetAnalyzerInfo returned them."""
        assert self._info is not None
        return self._info.name, [_summary(p) for p in self._info.policies]

    def configure(self, overrides: dict[str, str], properties: dict[str, dict[str, Any]] | None = None) -> None:
        """Configure as the engine sends it: every policy at its default level, `overrides` (name -> level) applied,
        and each policy's `properties`, like a `--policy-pack-config` file."""
        assert self._info is not None
        levels = {p.name: p.enforcementLevel for p in self._info.policies}
        codes = {word: code for code, word in _LEVELS.items()}
        levels.update({name: codes[word] for name, word in overrides.items()})
        config = {name: pb.PolicyConfig(enforcementLevel=level, properties=_struct((properties or {}).get(name, {})))
                  for name, level in levels.items()}
        self._call("Configure", pb.ConfigureAnalyzerRequest(policyConfig=config))

    def configure_file(self, path: Path) -> None:
        """Configure from a `--policy-pack-config` file: per policy, an enforcement level and properties."""
        document = json.loads(path.read_text())
        levels = {name: c["enforcementLevel"] for name, c in document.items() if "enforcementLevel" in c}
        properties = {name: {k: v for k, v in c.items() if k != "enforcementLevel"} for name, c in document.items()}
        self.configure(levels, properties)

    def analyze_stack(self, document: dict[str, Any]) -> Analysis:
        response = self._call("AnalyzeStack", pb.AnalyzeStackRequest(resources=analyzer_resources(document)))
        violations = [
            Violation(d.policyName, d.message, d.urn, _LEVELS[d.enforcementLevel]) for d in response.diagnostics
        ]
        return Analysis(violations, {n.policy_name: n.reason for n in response.not_applicable})

    def close(self) -> None:
        if self._stub is not None:
            try:
                self._call("Cancel", empty_pb2.Empty())
            except grpc.RpcError:
                pass  # pulumi-policy leaves Cancel unimplemented; the engine then just ends the process
            self._stub = None
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def _summary(policy: pb.PolicyInfo) -> PolicySummary:
    return PolicySummary(
        name=policy.name, description=policy.description, enforcement=_LEVELS[policy.enforcementLevel],
        severity=_SEVERITIES[policy.severity], stack_policy=policy.policy_type == pb.POLICY_TYPE_STACK,
        tags=tuple(policy.tags), url=policy.url, remediation_steps=policy.remediation_steps,
    )


# ---------------------------------------------------------------------------------------------------------------
# The stack's resources as the engine sends them to AnalyzeStack (stepGenerator.AnalyzeResources)


def default_provider(document: dict[str, Any]) -> dict[str, Any]:
    """The default aws provider the engine registers for the program's resources. The offline plan has none (the
    mocks need no provider); its inputs here are the ones the stack configures."""
    name = f"default_{version('pulumi_aws').replace('.', '_')}"
    return {
        "urn": f"urn:pulumi:{document['stack']}::{document['project']}::pulumi:providers:aws::{name}",
        "type": "pulumi:providers:aws",
        "name": name,
        "properties": {"region": document["environment"]["region"], "version": version("pulumi_aws")},
    }


def outputs(resource: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """What the engine sends: a resource's outputs (AnalyzeStack sees final states, not inputs). For a cloud
    resource, its inputs plus what the provider computes; the stack's are the stack outputs; components register
    none in this program."""
    if resource["custom"]:
        return {**resource["inputs"], **resource["computed"]}
    if resource["parent"] is None:
        return document["outputs"]
    return {}


def analyzer_resources(document: dict[str, Any]) -> list[pb.AnalyzerResource]:
    provider = default_provider(document)
    provider_message = pb.AnalyzerProviderResource(
        urn=provider["urn"], type=provider["type"], name=provider["name"], properties=_struct(provider["properties"]),
    )
    messages = [pb.AnalyzerResource(
        urn=provider["urn"], type=provider["type"], name=provider["name"], properties=_struct(provider["properties"]),
        options=_options(False, ""), parent=_stack_urn(document),
    )]
    for r in document["resources"]:
        messages.append(pb.AnalyzerResource(
            urn=r["urn"], type=r["type"], name=r["name"], properties=_struct(outputs(r, document)),
            options=_options(r["options"]["protect"], r["parent"] or ""),
            provider=provider_message if r["custom"] else None,
            parent=r["parent"] or "",
            dependencies=r["options"]["dependsOn"],
            propertyDependencies={  # the engine leaves out properties with no dependency
                key: pb.AnalyzerPropertyDependencies(urns=urns)
                for key, urns in r["options"]["propertyDependencies"].items() if urns
            },
        ))
    return messages


def _stack_urn(document: dict[str, Any]) -> str:
    return next(r["urn"] for r in document["resources"] if r["parent"] is None)


def _options(protect: bool, parent: str) -> pb.AnalyzerResourceOptions:
    # The engine always sends customTimeouts (zero when unset) and deleteBeforeReplaceDefined=false when unset.
    return pb.AnalyzerResourceOptions(
        protect=protect, parent=parent, customTimeouts=pb.AnalyzerResourceOptions.CustomTimeouts(),
    )


def _struct(properties: dict[str, Any]) -> struct_pb2.Struct:
    return json_format.ParseDict(properties, struct_pb2.Struct())


def first_preview(document: dict[str, Any]) -> dict[str, Any]:
    """The plan as the first `pulumi preview` of a new stack sees it: nothing exists yet, so every attribute the
    provider computes (ids, ARNs, key ids...) and every input built from another resource's outputs (bucket
    policies naming ARNs, `bucket` references) is unknown. The engine marshals an unknown string as the SDK's
    UNKNOWN sentinel. Values given literally stay known."""
    preview = copy.deepcopy(document)
    for r in preview["resources"]:
        if not r["custom"]:
            continue
        dependent = {key for key, urns in r["options"]["propertyDependencies"].items() if urns}
        r["inputs"] = {key: UNKNOWN if key in dependent else value for key, value in r["inputs"].items()}
        r["computed"] = {key: UNKNOWN for key in r["computed"] if key not in r["inputs"]}
    return preview
