"""The plan documents of the dev, prod and consumers stacks, planned once per test session."""

import pytest

from lake.plan.render import plan_document
from lake.plan.runner import plan_stack
from tests.consumer_stack import consumers_plan
from tests.support import REPO


@pytest.fixture(scope="session")
def dev_document():
    return plan_document(plan_stack(REPO, "dev"))


@pytest.fixture(scope="session")
def prod_document():
    return plan_document(plan_stack(REPO, "prod"))


@pytest.fixture(scope="session")
def consumers_document(tmp_path_factory):
    return plan_document(consumers_plan(tmp_path_factory.mktemp("consumers")))


@pytest.fixture(scope="session")
def stack_documents(dev_document, prod_document, consumers_document):
    return {"dev": dev_document, "prod": prod_document, "consumers": consumers_document}
