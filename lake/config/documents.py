"""Reading the YAML and JSON the config comes in, with bounds on what a small file can cost.

PyYAML's ``safe_load`` builds no Python objects it should not, but it still accepts three things
a stack file has no use for, each refused here with one line naming where:

* a key written twice in one mapping: YAML forbids it, PyYAML keeps the last one silently, so
  the first value a reader sees in the file is not the one deployed;
* aliases that expand exponentially ("billion laughs": ``b: [*a, *a, ...]``, ``c: [*b, *b, ...]``).
  PyYAML shares the aliased objects, so loading is cheap, but everything after it (key
  conversion, JSON encoding for the engine, schema validation) walks the expanded tree. Aliases
  themselves are allowed: a stack can reasonably share one lifecycle between zones with
  ``&standard`` / ``*standard``, and Pulumi's own YAML reader accepts them. What is bounded is
  the expanded document: at most MAX_VALUES values (a real stack has a few hundred), MAX_DEPTH
  levels and MAX_CHARACTERS of text, counted over the node graph before any value is built, each node
  once, so the check itself is linear in the file. A node that contains itself (``&a [*a]``)
  never ends once expanded and is refused too;
* nesting a few thousand levels deep, which makes PyYAML's recursive composer (and json.loads,
  and any recursive walk of the value) raise RecursionError. Nothing in the config is nested
  more than ten levels; MAX_DEPTH leaves ample room and stays far below Python's recursion limit.

JSON (config values as the Pulumi engine passes them, JSON-encoded) gets the same depth bound.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
import yaml.parser
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from lake.config.problems import ConfigProblem, key_path

MAX_DEPTH = 100
MAX_VALUES = 10_000
# Characters of text in the expanded values: one long string aliased ten thousand times is as
# costly as a billion laughs once encoded for the engine (a stack file has a few thousand).
MAX_CHARACTERS = 1_000_000



_MERGE_TAG = "tag:yaml.org,2002:merge"
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')

# The path of a value in a document, as mapping keys and list indexes.
Path = tuple[str | int, ...]


class DocumentProblems(Exception):
    """The document parses but is refused: one problem per line, each naming where."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class NestingError(ValueError):
    """A JSON text nested more than MAX_DEPTH levels deep."""


def written_path(parts: Path) -> str:
    """``("datalake:zones", 0, "name")`` -> ``datalake:zones[0].name``: a value's path as written.

    Under a file's ``config`` section the path starts at the config key, as in every other
    config message; elsewhere (``runtime.name`` in Pulumi.yaml) it starts at the top.
    """
    if parts[:1] == ("config",) and len(parts) > 1:
        parts = parts[1:]
    # key_path writes "<namespace>:<first part>"; the first part here already carries its own.
    return key_path("", parts).removeprefix(":")


def _too_deep(mark: Any, expanded: bool = False) -> DocumentProblems:
    after = " once aliases are expanded" if expanded else ""
    return DocumentProblems([ConfigProblem(_where(mark), f"nested more than {MAX_DEPTH} levels deep{after}; refused")])


def _too_many(mark: Any, expanded: bool = False) -> DocumentProblems:
    after = " once aliases are expanded" if expanded else ""
    return DocumentProblems([ConfigProblem(
        _where(mark), f"more than {MAX_VALUES} values{after}; refused (a stack config has a few hundred)"
    )])


def _too_long(mark: Any) -> DocumentProblems:
    return DocumentProblems([ConfigProblem(
        _where(mark), f"more than {MAX_CHARACTERS} characters of text once aliases are expanded; refused"
    )])


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""


try:  # libyaml's parser: the same events as PyYAML's, several times faster
    from yaml._yaml import CParser as _CParser

    _PARSER: tuple[type, ...] = (_CParser,)
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CParser = None
    _PARSER = (Reader, Scanner, yaml.parser.Parser)


class _BoundedLoader(*_PARSER, Composer, SafeConstructor, Resolver):  # type: ignore[misc]
    """SafeLoader's composer and constructor over libyaml's events, the composer bounded in depth.

    The composer recurses once per level, so it refuses to go deeper than MAX_DEPTH; it also
    stops at MAX_VALUES nodes, which bounds the time a file takes (about 30 µs a node). It is
    PyYAML's Python composer even with libyaml: the C one recurses in C (a crash, not an
    exception, at 100000 levels) and cannot be bounded.
    """

    def __init__(self, stream: str) -> None:
        if _CParser is not None:
            _CParser.__init__(self, stream)
        else:  # pragma: no cover
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self._depth = 0
        self._values = 0  # nodes composed so far, aliases not counted

    get_single_node = Composer.get_single_node
    compose_document = Composer.compose_document

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if not self.check_event(AliasEvent):
            self._values += 1
            if self._values > MAX_VALUES:
                raise _too_many(self.peek_event().start_mark)
        if self._depth >= MAX_DEPTH:
            raise _too_deep(self.peek_event().start_mark)
        self._depth += 1
        try:
            return Composer.compose_node(self, parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        """SafeConstructor's, but a scalar its tag cannot read (``!!float abc``, ``!!bool maybe``,
        ``!!int ''``, ``2020-13-45``, an integer of 5,000 digits) is a ConstructorError at its line:
        PyYAML lets the ValueError, KeyError or IndexError of the conversion escape."""
        try:
            return SafeConstructor.construct_object(self, node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as error:
            raise _unreadable(node, error) from None


def _unreadable(node: Node, error: Exception) -> yaml.constructor.ConstructorError:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    value = node.value if isinstance(node.value, str) else ""
    shown = json.dumps(value if len(value) <= 40 else value[:40] + "...")
    reason = f" ({error})" if tag == "!!timestamp" and isinstance(error, ValueError) else ""
    if "digits" in str(error):  # int(): over sys.get_int_max_str_digits() (4300) digits
        reason = f" ({len(value)} characters: too many digits)"
    return yaml.constructor.ConstructorError(None, None, f"cannot read {shown} as {tag}{reason}", node.start_mark)


def load_yaml(text: str, config_key: Callable[[str], str] | None = None) -> Any:
    """The value of the single YAML document ``text`` (None if empty), SafeLoader's types.

    ``config_key`` names the keys of the top-level ``config`` mapping as the config sees them
    (``name`` -> ``datalake:name``), so that ``name`` and ``datalake:name`` count as one key written
    twice. Raises yaml.YAMLError for a syntax error, DocumentProblems for what is refused above.
    """
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _Checker(loader, config_key).check(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


@dataclass
class _Frame:
    node: Node
    path: Path
    children: Iterator[tuple[Node, str | int | None]]
    values: int = 1
    depth: int = 0  # of the deepest child so far
    characters: int = 0


@dataclass
class _Checker:
    """One depth-first pass over the node graph: expanded size and depth, cycles, duplicate keys."""

    loader: _BoundedLoader
    config_key: Callable[[str], str] | None
    # id(node) -> (values, depth, characters) of the nodes already measured: each is walked once.
    measured: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    duplicates: list[ConfigProblem] = field(default_factory=list)

    def check(self, root: Node) -> None:
        stack = [self._frame(root, ())]
        open_nodes = {id(root)}
        while stack:
            frame = stack[-1]
            child, part = next(frame.children, (None, None))
            if child is None:
                stack.pop()
                open_nodes.discard(id(frame.node))
                self.measured[id(frame.node)] = (frame.values, frame.depth + 1, frame.characters)
                if stack:
                    self._add(stack[-1], frame.values, frame.depth + 1, frame.characters, len(stack))
                continue
            if id(child) in self.measured:
                self._add(frame, *self.measured[id(child)], len(stack))
            elif id(child) in open_nodes:
                raise DocumentProblems([ConfigProblem(
                    _where(child.start_mark), "an alias refers to a value that contains it, which never ends once expanded"
                )])
            elif len(stack) >= MAX_DEPTH:
                raise _too_deep(child.start_mark, expanded=True)
            else:
                stack.append(self._frame(child, frame.path if part is None else (*frame.path, part)))
                open_nodes.add(id(child))
        if self.duplicates:
            raise DocumentProblems(self.duplicates)

    def _add(self, frame: _Frame, values: int, depth: int, characters: int, level: int) -> None:
        frame.values += values
        frame.depth = max(frame.depth, depth)
        frame.characters += characters
        if frame.values > MAX_VALUES:
            raise _too_many(frame.node.start_mark, expanded=True)
        if frame.characters > MAX_CHARACTERS:
            raise _too_long(frame.node.start_mark)
        if level + depth > MAX_DEPTH:
            raise _too_deep(frame.node.start_mark, expanded=True)

    def _frame(self, node: Node, path: Path) -> _Frame:
        if isinstance(node, SequenceNode):
            return _Frame(node, path, ((item, index) for index, item in enumerate(node.value)))
        if isinstance(node, MappingNode):
            names = self._key_names(node, path)
            return _Frame(node, path, self._mapping_children(node, names))
        return _Frame(node, path, iter(()), characters=len(node.value))

    @staticmethod
    def _mapping_children(node: MappingNode, names: list[str | None]) -> Iterator[tuple[Node, str | int | None]]:
        for (key, value), name in zip(node.value, names):
            yield key, None
            yield value, name

    def _key_names(self, node: MappingNode, path: Path) -> list[str | None]:
        """The mapping's keys as strings (as the config will see them), noting keys written twice.

        Merged keys (``<<: *defaults``) are meant to be overridden and are not counted.
        """
        names: list[str | None] = []
        first_line: dict[str, int] = {}
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                names.append(None)
                continue
            # str(): ``7:`` and ``"7":`` are the same key once the config has string keys only.
            name = str(self.loader.construct_object(key, deep=True))
            if path == ("config",) and self.config_key is not None:
                name = self.config_key(name)
            names.append(name)
            line = key.start_mark.line + 1
            if name in first_line:
                self.duplicates.append(ConfigProblem(
                    written_path((*path, name)), f"key written twice (lines {first_line[name]} and {line})"
                ))
            first_line.setdefault(name, line)
        return names


def json_depth(text: str) -> int:
    """How deep ``text``'s arrays and objects nest, stopping early past MAX_DEPTH.

    Brackets inside strings do not count. Linear, and without recursion.
    """
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif token in ("]", "}"):
            depth -= 1
    return deepest


def loads_json(text: str) -> Any:
    """``json.loads(text)``, refusing (NestingError) a text nested more than MAX_DEPTH levels deep,
    which would otherwise raise RecursionError, there or in whatever walks the value next."""
    if json_depth(text) > MAX_DEPTH:
        raise NestingError(f"nested more than {MAX_DEPTH} levels deep")
    return json.loads(text)
