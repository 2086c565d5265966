"""Every rule of the lake, found by importing the modules of ``policies/rules``.

Adding a rule is adding a module that defines ``RULE``: no list to edit (a test pins the set).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from . import rules as rules_package
from .rule import Rule


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    found = []
    for module in pkgutil.iter_modules(rules_package.__path__):
        rule = getattr(importlib.import_module(f"{rules_package.__name__}.{module.name}"), "RULE", None)
        if isinstance(rule, Rule):
            found.append(rule)
    ids = [r.id for r in found]
    if len(ids) != len(set(ids)):
        raise ValueError(f"duplicate rule ids: {sorted(ids)}")
    return tuple(sorted(found, key=_sort_key))


def _sort_key(rule: Rule) -> tuple:
    """S3.2 < S3.10 < KMS.1 < EC2.6 < LAKE.1: family, then number."""
    family, _, number = rule.id.partition(".")
    order = {"S3": 0, "KMS": 1, "EC2": 2, "LAKE": 3}.get(family, 4)
    return (order, family, int(number.split("/")[0]) if number.split("/")[0].isdigit() else 0, rule.id)


def rule(rule_id: str) -> Rule:
    return next(r for r in all_rules() if r.id == rule_id)
