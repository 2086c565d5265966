"""The S3 and KMS actions and the condition keys `lake access` knows, from ``catalogue.json``.

The catalogue is generated from AWS's IAM definition as parliament ships it, by
``scripts/access_catalogue.py`` (parliament is a test dependency; the runtime reads the committed
file, which a test regenerates and compares). Names are matched case-insensitively, as IAM
matches actions and condition keys, and returned as AWS spells them.

A key with a variable part (``aws:RequestTag/${TagKey}``, ``s3:ExistingObjectTag/<key>``,
``kms:EncryptionContext:${EncryptionContextKey}``) is known by its prefix followed by a
non-empty name.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
# The variable part that ends a key's documented name: ${TagKey}, <key>.
_VARIABLE = re.compile(r"(\$\{([^}]*)\}|<([^>]*)>)$")


@dataclass(frozen=True)
class Action:
    name: str  # "s3:GetObject", as AWS spells it
    resource_types: tuple[str, ...]  # what it acts on: ("object",); () for account-level actions


@dataclass(frozen=True)
class ConditionKey:
    name: str  # "aws:SourceIp"; for a variable key, its prefix and the name given: "aws:RequestTag/team"
    type: str  # the IAM definition's type: "String", "Bool", "Numeric", "Date", "ARN", "IPAddress", "ArrayOfString"...

    @property
    def multivalued(self) -> bool:
        return self.type.startswith("ArrayOf")

    @property
    def value_type(self) -> str:
        return self.type.removeprefix("ArrayOf")


@dataclass(frozen=True)
class VariableKey:
    pattern: str  # "aws:RequestTag/${TagKey}"
    prefix: str  # "aws:RequestTag/"
    variable: str  # "TagKey"
    type: str


@dataclass(frozen=True)
class Catalogue:
    source: str
    actions: Mapping[str, Action]  # by lowercased name
    keys: Mapping[str, ConditionKey]  # keys without a variable part, by lowercased name
    variable_keys: tuple[VariableKey, ...]

    def action(self, name: str) -> Action | None:
        return self.actions.get(name.lower())

    def condition_key(self, name: str) -> ConditionKey | None:
        """The key as AWS spells it (a variable key: its prefix, then the name as given)."""
        folded = name.lower()
        if folded in self.keys:
            return self.keys[folded]
        for key in self.variable_keys:
            if folded.startswith(key.prefix.lower()) and len(name) > len(key.prefix):
                return ConditionKey(key.prefix + name[len(key.prefix):], key.type)
        return None

    def variable_key_missing_its_name(self, name: str) -> VariableKey | None:
        """``aws:RequestTag`` or ``aws:RequestTag/``: a variable key's prefix with no name after it."""
        folded = name.lower()
        return next((k for k in self.variable_keys if folded in (k.prefix.lower(), k.prefix[:-1].lower())), None)

    def close_actions(self, name: str) -> list[str]:
        return _close(name, (a.name for a in self.actions.values()))

    def close_keys(self, name: str) -> list[str]:
        return _close(name, [k.name for k in self.keys.values()] + [k.pattern for k in self.variable_keys])


def _close(word: str, choices: Iterable[str]) -> list[str]:
    """The closest choice ignoring case (at most one), as spelt in the catalogue."""
    folded = {choice.lower(): choice for choice in choices}
    return [folded[m] for m in difflib.get_close_matches(word.lower(), folded, n=1, cutoff=0.6)]


def parse(document: Mapping) -> Catalogue:
    actions = {
        f"{prefix}:{name}".lower(): Action(f"{prefix}:{name}", tuple(types))
        for prefix, names in document["actions"].items()
        for name, types in names.items()
    }
    keys, variable_keys = {}, []
    for name, kind in document["conditionKeys"].items():
        variable = _VARIABLE.search(name)
        if variable:
            variable_keys.append(VariableKey(name, name[: variable.start()], variable[2] or variable[3], kind))
        else:
            keys[name.lower()] = ConditionKey(name, kind)
    return Catalogue(document["source"], actions, keys, tuple(variable_keys))


@cache
def catalogue() -> Catalogue:
    return parse(json.loads(CATALOGUE_PATH.read_text(encoding="utf-8")))
