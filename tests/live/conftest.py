"""Fixtures of the live-audit tests: the dev plan (once per run) and moto on a loopback port (once
per module)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from tests.live.support import threaded_moto
from tests.support import REPO


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    return plan_document(plan_stack(REPO, "dev"))


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with threaded_moto() as endpoint_url:
        yield endpoint_url
