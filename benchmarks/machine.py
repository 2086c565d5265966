"""Describe the machine a benchmark ran on, for the header of docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _memory_gib() -> str:
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        return f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown memory"


def describe() -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{now}; {_cpu_model()}, {os.cpu_count()} cores, {_memory_gib()}; "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )
