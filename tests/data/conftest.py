"""Fixtures of the data-client tests: the dev lake in moto behind the policy gate (once per
module), and a fresh key prefix per test so tests share the lake without seeing each other."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator

import pytest

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from lake.sandbox.apply import apply_plan
from lake.sandbox.serve import gated_servers
from lake.sandbox.tls import client_context
from tests.data.support import DataLake
from tests.support import REPO


@pytest.fixture(scope="module")
def lake() -> Iterator[DataLake]:
    document = plan_document(plan_stack(REPO, "dev"))
    with gated_servers() as servers:
        # moto's backends are process-wide: start from an empty account whatever ran before.
        reset = urllib.request.Request(f"{servers.https_url}/moto-api/reset", method="POST")
        urllib.request.urlopen(reset, context=client_context(servers.ca_bundle), timeout=10).close()
        applied = apply_plan(document, servers.https_url, verify=servers.ca_bundle)
        key_arn = applied.substitutions[document["outputs"]["keyArn"]]
        yield DataLake(servers.https_url, servers.http_url, str(servers.ca_bundle), key_arn)


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name)[:80] + "/"
