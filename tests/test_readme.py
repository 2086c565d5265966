"""The README's two set-up commands exist, and CI runs the same test command."""

import re

from tests.support import REPO

PLAN = "python3 scripts/install.py && .venv/bin/lake plan --stack dev"
TESTS = "python3 scripts/install.py --test && .venv/bin/pytest"


def quick_start() -> str:
    readme = (REPO / "README.md").read_text()
    return readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]


def test_exactly_two_commands_plan_and_tests():
    blocks = re.findall(r"```sh\n(.*?)```", quick_start(), re.S)
    assert [b.strip() for b in blocks] == [PLAN, TESTS]


def test_ci_installs_and_tests_like_the_readme():
    ci = (REPO / ".ci" / "run").read_text()
    assert "\npython3 scripts/install.py --test ||" in ci
    assert "\nrun_pytest\n" in ci and ".venv/bin/pytest \"$@\"" in ci
