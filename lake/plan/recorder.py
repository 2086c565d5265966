"""A mock monitor that records every resource registration: the offline stand-in for a preview."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.mocks import MockMonitor, Mocks

STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    id: str | None
    inputs: dict[str, Any]
    # What the mock engine computed beyond the inputs (ids, ARNs).
    computed: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    depends_on: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)


def _normalise(value: Any) -> Any:
    """Numbers reach the monitor as floats; give integral ones back their int form."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    return value


def real_urn(urn: str) -> str:
    """The URN the engine would give: the mock monitor prefixes top-level types with the stack's
    type (``pulumi:pulumi:Stack$aws:s3/bucket:Bucket``), which real URNs never carry."""
    return urn.replace(f"::{STACK_TYPE}$", "::")


class _InputCapturingMocks(Mocks):
    """Hands the inputs the monitor already deserialised back to the recorder.

    MockMonitor.RegisterResource calls ``new_resource`` on the thread that serves the request, so
    a thread-local carries the inputs across without deserialising the request a second time.
    """

    def __init__(self, mocks: Mocks):
        self.inner = mocks
        self.last = threading.local()

    def new_resource(self, args):
        self.last.inputs = args.inputs
        return self.inner.new_resource(args)

    def call(self, args):
        return self.inner.call(args)


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: Mocks):
        super().__init__(_InputCapturingMocks(mocks))
        self.records: list[RecordedResource] = []
        # RPCs arrive on executor threads.
        self._lock = threading.Lock()

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == STACK_TYPE:
            inputs, state = {}, {}
        else:
            inputs = _normalise(self.mocks.last.inputs)
            state = _normalise(self.resources[response.urn].state)
        record = RecordedResource(
            urn=real_urn(response.urn),
            type=request.type,
            name=request.name,
            parent=real_urn(request.parent) if request.parent else None,
            custom=bool(request.custom),
            id=response.id or None,
            inputs=inputs,
            computed={k: v for k, v in state.items() if k not in inputs},
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            depends_on=sorted(real_urn(u) for u in request.dependencies),
            property_dependencies={
                key: sorted(real_urn(u) for u in deps.urns) for key, deps in sorted(request.propertyDependencies.items())
            },
        )
        with self._lock:
            self.records.append(record)
        return response
