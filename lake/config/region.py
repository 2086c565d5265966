"""``aws:region``: not ours, but a typo there deploys the lake in no region or the wrong one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lake.config.messages import describe
from lake.config.problems import ConfigProblem

REGION_KEY = "aws:region"
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$")


def region_problems(values: Mapping[str, Any]) -> list[ConfigProblem]:
    if REGION_KEY not in values:
        return []  # the AWS provider falls back to AWS_REGION / the profile's region
    region = values[REGION_KEY]
    if not isinstance(region, str):
        return [ConfigProblem(REGION_KEY, f"expected a string, got {describe(region)}")]
    if not _REGION.match(region):
        return [ConfigProblem(REGION_KEY, f"expected an AWS region such as 'us-east-1' or 'eu-west-3', got {describe(region)}")]
    return []
