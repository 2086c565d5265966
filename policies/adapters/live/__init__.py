"""The lake model of a deployed lake, read with boto3 (``lake audit``)."""

from .calls import Reader
from .read import AccountUnreachable, LiveRead, read_lake
from .selection import Selection, SelectionError, load_outputs, parse_tag
from .session import DEFAULT_CONCURRENCY, Target

__all__ = [
    "DEFAULT_CONCURRENCY", "AccountUnreachable", "LiveRead", "Reader", "Selection", "SelectionError", "Target",
    "load_outputs", "parse_tag", "read_lake",
]
