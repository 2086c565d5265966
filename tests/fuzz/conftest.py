"""The fuzz tests' marker: ``fuzz_slow`` (see tests/fuzz/support.py, fuzz_settings)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz_slow: a fuzz property that takes more than a few seconds (tests/fuzz); "
                            "select with -m fuzz_slow, leave out with -m 'not fuzz_slow'")
