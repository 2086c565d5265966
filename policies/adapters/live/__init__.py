"""The lake model of a deployed lake, read with boto3 (``lake audit``).

The names below are loaded on first use (PEP 562), so that importing a light submodule such as
``limits`` does not import boto3.
"""

from importlib import import_module

_WHERE = {
    "Reader": "calls", "AccountUnreachable": "read", "LiveRead": "read", "read_lake": "read",
    "Selection": "selection", "SelectionError": "selection", "load_outputs": "selection", "parse_tag": "selection",
    "DEFAULT_CONCURRENCY": "limits", "Target": "session",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
