"""Hypothesis strategies for the fuzz tests: YAML and JSON documents as text, odd values.

The YAML documents are generated as text, not dumped from Python values, so that they hold
what a hand-written (or hostile) stack file can hold and ``yaml.safe_dump`` never writes: keys
written twice, anchors and aliases (also undefined or recursive ones, merge keys), explicit tags
(``!!python/object``, ``!!float abc``, ``!!timestamp 2020-13-45``), block and flow styles mixed,
odd plain scalars (``0x1F``, ``.nan``, ``1e400``, ``~``, 5,000 digits), non-ASCII digits,
unicode, very long strings, and then random edits of the text (a character inserted or removed,
a line repeated, a tab, a BOM, a second document, bytes that are not UTF-8).
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

# --- scalars -------------------------------------------------------------------------------------

# Keys the stack config knows (and near misses), so that documents often get past the first
# checks and reach the schema and the semantic checks; and a few that mean something to YAML.
CONFIG_KEYS = [
    "datalake:name", "datalake:zones", "datalake:tags", "datalake:administrators", "datalake:deployer",
    "datalake:production", "datalake:requireSseHeader", "datalake:key", "datalake:logs", "datalake:network",
    "datalake:perimeter", "datalake:datasets", "datalake:athena", "aws:region", "aws:allowedAccountIds",
    "aws:forbiddenAccountIds", "aws:profile", "datalaek:name", "datalake:zonez", "Datalake:name", "name",
    "zones", "production", "aws:region ", "datalake:", ":", "secure",
]
INNER_KEYS = [
    "name", "lifecycle", "transitions", "days", "storageClass", "expirationDays", "noncurrentVersions",
    "abortIncompleteMultipartUploadDays", "expiredObjectDeleteMarker", "minimumObjectSize", "prefix", "zone",
    "schedule", "eventMode", "vpcId", "routeTableIds", "cidr", "availabilityZones", "allowedBuckets",
    "deletionWindowDays", "bytesScannedCutoffPerQuery", "resultsExpirationDays", "secure", "value", "default",
    "type", "team", "aws:createdBy", "7", "~", "null", "true", "<<", "x", "x",  # "x" twice: duplicates
]
PROJECT_KEYS = ["name", "runtime", "description", "config", "stackConfigDir", "options", "main", "backend"]

PLAIN_SCALARS = [
    "", "~", "null", "Null", "NULL", "true", "false", "True", "yes", "no", "on", "off", "y", "n",
    "0", "-0", "007", "0x1F", "0o17", "0b101", "1_000", "1e3", "1e400", "-1e400", "1.5", ".5", "1.", ".inf",
    "-.inf", ".nan", ".NaN", "12e", "1:20", "190:20:30.15", "2001-12-14", "2020-13-45", "2020-02-30",
    "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5", "2020-01-01t25:61:00", "9" * 5000,
    "123456789012", "١٢٣٤٥٦٧٨٩٠١٢", "１２３", "٣٠", "30", "1", "-1", "99999999999999999999", "365", "3650",
    "arn:aws:iam::123456789012:role/LakeAdmin", "arn:aws:iam::*:root", "STANDARD_IA", "GLACIER",
    "DEEP_ARCHIVE", "INTELLIGENT_TIERING", "cron(0 2 * * ? *)", "rate(1 day)", "raw", "processed", "mlteam",
    "ml_team", "ML", "us-east-1", "eu-west-1", "mars-north-9", "vpc-0123456789abcdef0", "10.0.0.0/16",
    "images/", "/", "a b", "=", "-", "'", '"', "#", "a #c", "%x", "@x", "`x", "!", "&", "*", "|", ">", "?",
    "- x", ": x", "? x", "x:", "x: y", "[", "]", "{", "}", ",", "\t", "\\", "é", "ß", "日本", "🙂", "\u200b",
    "\u2028", "\u0085", "\x7f",
]
TAGS = [
    "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!map", "!!seq", "!!set",
    "!!omap", "!!pairs", "!!merge", "!!value", "!!python/object:os.system", "!!python/name:builtins.eval",
    "!!python/object/apply:os.system", "!!python/tuple", "!!python/unicode", "!custom", "!",
    "!<tag:yaml.org,2002:int>", "!<tag:example.com,2000:x>", "!e!x",
]
ANCHORS = ["a", "b", "c"]
SCALAR_TAGS = ["!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!str", "!!python/object:os.system"]

# Text of every kind, and long text: the loader bounds what a document may cost.
# Mostly printable text; control characters (which YAML refuses) now and then.
any_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=40),
    st.text(st.characters(exclude_categories=("Cc",)), max_size=40),
    st.text(max_size=10),
)
long_text = st.integers(min_value=1_000, max_value=20_000).map(lambda n: "x" * n)


def _double_quoted(text: str) -> str:
    return json.dumps(text)  # JSON's escapes are YAML's double-quoted escapes (\ud800 included)


def _single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


scalar_text = st.one_of(
    st.sampled_from(PLAIN_SCALARS),
    st.sampled_from(INNER_KEYS + CONFIG_KEYS),
    any_text.map(_double_quoted),
    any_text.map(_single_quoted),
    any_text,  # raw: often not YAML at all where it lands
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    long_text.map(_double_quoted),
    st.sampled_from(["|\n  line one\n  line two", ">-\n  folded\n  text", "|+\n\n"]),
)
# A scalar with an explicit tag its text may not fit: `!!float abc`, `!!int ""`, `!!bool maybe`.
_tagged_scalars = st.builds(
    lambda tag, text: f"{tag} {text}", st.sampled_from(SCALAR_TAGS),
    st.one_of(st.sampled_from(PLAIN_SCALARS), st.sampled_from(['""', "''", "maybe", "abc", "2020-02-30", "aGVsbG8="])),
)


# --- YAML nodes, rendered as text ------------------------------------------------------------------

Node = dict[str, Any]


@st.composite
def _prefix(draw) -> str:
    """An optional anchor and an optional tag before a node."""
    parts = []
    if draw(st.integers(0, 9)) == 0:
        parts.append("&" + draw(st.sampled_from(ANCHORS)))
    if draw(st.integers(0, 7)) == 0:
        parts.append(draw(st.sampled_from(TAGS)))
    return " ".join(parts)


def _leaf(keys: list[str]) -> st.SearchStrategy[Node]:
    scalars = st.builds(lambda text, prefix: {"kind": "scalar", "text": text, "prefix": prefix}, scalar_text, _prefix())
    aliases = st.sampled_from(ANCHORS).map(lambda name: {"kind": "alias", "text": "*" + name, "prefix": ""})
    tagged = _tagged_scalars.map(lambda text: {"kind": "scalar", "text": text, "prefix": ""})
    return st.one_of(*[scalars] * 8, tagged, aliases)


def _key() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(INNER_KEYS), st.sampled_from(INNER_KEYS), st.sampled_from(CONFIG_KEYS),
        st.sampled_from(PLAIN_SCALARS), any_text.map(_double_quoted), any_text,
        st.just("<<"), st.sampled_from(ANCHORS).map(lambda name: "*" + name),
        st.sampled_from(["? [a, b]", "? {a: 1}", "[a]", "{a: 1}", "!!python/object:os.system x", "!!float k"]),
    )


def _collections(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    style = st.sampled_from(["block", "block", "flow"])
    mappings = st.builds(
        lambda items, style, prefix: {"kind": "map", "items": items, "style": style, "prefix": prefix},
        st.lists(st.tuples(_key(), children), max_size=6), style, _prefix(),
    )
    sequences = st.builds(
        lambda items, style, prefix: {"kind": "seq", "items": items, "style": style, "prefix": prefix},
        st.lists(children, max_size=6), style, _prefix(),
    )
    return st.one_of(mappings, sequences)


nodes = st.recursive(_leaf(INNER_KEYS), _collections, max_leaves=40)


def _with_prefix(prefix: str, text: str) -> str:
    return f"{prefix} {text}" if prefix else text


def flow(node: Node) -> str:
    if node["kind"] in ("scalar", "alias"):
        return _with_prefix(node["prefix"], node["text"])
    if node["kind"] == "map":
        body = "{" + ", ".join(f"{key}: {flow(value)}" for key, value in node["items"]) + "}"
    else:
        body = "[" + ", ".join(flow(item) for item in node["items"]) + "]"
    return _with_prefix(node["prefix"], body)


def _after_indicator(node: Node, indent: int) -> str:
    """What follows ``key:`` or ``-``: the node inline, or a newline and the node in block style."""
    if node["kind"] in ("scalar", "alias") or node["style"] == "flow" or not node["items"]:
        text = flow(node)
        return f" {text}" if text else ""
    head = f" {node['prefix']}" if node["prefix"] else ""
    return head + "\n" + block(node, indent + 2).rstrip("\n")


def block(node: Node, indent: int = 0) -> str:
    """The node in block style at ``indent`` (flow style inside, where the node asks for it)."""
    pad = " " * indent
    if node["kind"] in ("scalar", "alias") or node["style"] == "flow" or not node["items"]:
        return pad + flow(node) + "\n"
    if node["kind"] == "map":
        return "".join(f"{pad}{key}:{_after_indicator(value, indent)}\n" for key, value in node["items"])
    return "".join(f"{pad}-{_after_indicator(item, indent)}\n" for item in node["items"])


@st.composite
def _stack_document(draw) -> str:
    """``config:`` with the stack config's own keys (some written twice), random values."""
    entries = draw(st.lists(st.tuples(st.sampled_from(CONFIG_KEYS), nodes), max_size=8))
    config = {"kind": "map", "items": entries, "style": draw(st.sampled_from(["block", "block", "flow"])),
              "prefix": draw(_prefix())}
    top = {"kind": "map", "items": [("config", config)], "style": "block", "prefix": ""}
    if draw(st.booleans()):
        top["items"] = [("encryptionsalt", {"kind": "scalar", "text": "v1:abc", "prefix": ""}), *top["items"]]
    return block(top)


@st.composite
def _project_document(draw) -> str:
    entries = draw(st.lists(st.tuples(st.sampled_from(PROJECT_KEYS), nodes), max_size=6))
    if draw(st.booleans()):
        entries = [("name", {"kind": "scalar", "text": "datalake", "prefix": ""}),
                   ("runtime", {"kind": "scalar", "text": "python", "prefix": ""}), *entries]
    return block({"kind": "map", "items": entries, "style": "block", "prefix": ""})


# Hand-made documents that each stress one bound of the loader.
def _laughs(width: int, depth: int) -> str:
    lines = ["config:", '  datalake:name: &l0 "lol"']
    for level in range(1, depth + 1):
        lines.append(f"  datalake:l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


SPECIAL_DOCUMENTS = st.one_of(
    st.builds(_laughs, st.integers(2, 10), st.integers(1, 9)),
    st.integers(50, 3000).map(lambda n: "config:\n  datalake:zones: " + "[" * n + "]" * n + "\n"),
    st.integers(50, 3000).map(lambda n: "config:\n  datalake:zones: " + "{a: " * n + "1" + "}" * n + "\n"),
    st.integers(50, 300).map(lambda n: "config:\n" + "".join(f"{' ' * (2 * i + 2)}k{i}:\n" for i in range(n)) + "x\n"),
    st.just("config: &a\n  datalake:zones: *a\n"),
    st.just("config:\n  datalake:zones: &a [*a]\n"),
    st.just("config:\n  <<: *undefined\n"),
    st.just("config:\n  datalake:name: a\n  name: b\n"),
    st.just("config:\n  datalake:name: mlteam\n---\nconfig: {}\n"),
    st.just("%YAML 1.1\n%TAG ! tag:example.com,2000:\n---\nconfig: !x {}\n"),
    st.just("config:\n  aws:allowedAccountIds: [١٢٣٤٥٦٧٨٩٠١٢]\n"),
    st.just("config:\n  datalake:tags: !!set {a, b}\n"),
    st.just("config:\n  datalake:tags: !!omap [a: 1, b: 2]\n"),
    st.just("config:\n  datalake:name: !!binary aGVsbG8=\n"),
    st.just("config:\n  datalake:name: {secure: AAABAJ}\n"),
    st.integers(10_001, 12_000).map(lambda n: "config:\n  datalake:zones:\n" + "    - 1\n" * n),
)


@st.composite
def _edited(draw, documents: st.SearchStrategy[str]) -> str:
    """A document with a few random edits: the text a typo, a bad paste or a bad merge leaves."""
    text = draw(documents)
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["insert", "delete", "repeat", "tab", "bom", "document", "nul"]))
        at = draw(st.integers(0, len(text)))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(list(":-[]{},&*!|>'\"#%@`?\n \t\\") + ["\u00a0", "é"])) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 20)):]
        elif edit == "repeat":
            lines = text.splitlines(keepends=True)
            if lines:
                index = draw(st.integers(0, len(lines) - 1))
                text = "".join(lines[: index + 1] + [lines[index]] + lines[index + 1 :])
        elif edit == "tab":
            text = text.replace("  ", "\t", 1)
        elif edit == "bom":
            text = "\ufeff" + text
        elif edit == "document":
            text = text + "---\n" + text
        else:
            text = text[:at] + draw(st.sampled_from(["\x00", "\x1b", "\ufffe", "\x85"])) + text[at:]
    return text


def _real_stack_lines() -> list[list[str]]:
    from tests.support import REPO

    return [(REPO / name).read_text(encoding="utf-8").splitlines() for name in ("Pulumi.dev.yaml", "Pulumi.prod.yaml")]


# Values that stay YAML wherever they land: what the config's keys take, and near misses.
_plausible = st.one_of(
    st.sampled_from([
        "0", "1", "-1", "29", "30", "31", "89", "90", "180", "365", "366", "36500", "1e3", "0x1F", "2020-13-45",
        "true", "false", "yes", "~", "null", "''", "[]", "{}", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR",
        "GLACIER", "DEEP_ARCHIVE", "INTELLIGENT_TIERING", "STANDARD", "raw", "processed", "curated", "Raw",
        "raw-1", "a" * 70, "mlteam", "ml", "us-east-1", "eu-west-1", "cn-north-1", "mars-north-9", "123456789012",
        '"١٢٣٤٥٦٧٨٩٠١٢"', '"12345678901"', "arn:aws:iam::123456789012:role/LakeAdmin",
        "arn:aws:iam::210987654321:root", "arn:aws:iam::123456789012:user/x", '"arn:aws:iam::*:role/x"',
        '"cron(0 2 * * ? *)"', '"cron(61 2 * * ? *)"', '"cron(0 2 * * *)"', '"rate(1 day)"', "images/", "/images",
        '"a//b"', "vpc-0123456789abcdef0", "vpc-xyz", "10.0.0.0/16", "10.0.0.0/33", "rtb-0123456789abcdef0",
        "all_storage_classes_128K", "varies_by_storage_class", "[raw, raw]", "[{name: raw}, {name: raw}]",
        "{days: 30, storageClass: STANDARD_IA}", "[{days: 10, storageClass: STANDARD_IA}]",
        "[{days: 90, storageClass: GLACIER}, {days: 30, storageClass: GLACIER_IR}]",
    ]),
    st.integers(-(10**6), 10**12).map(str),
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30).map(_double_quoted),
    _tagged_scalars,
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _leaves(lines: list[str]) -> list[int]:
    """Lines of one setting whose next line is not their child: changing them orphans nothing."""
    found = []
    for index, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#") or (": " not in line and "- " not in line):
            continue
        following = next((other for other in lines[index + 1 :] if other.strip()), "")
        sibling_item = following.lstrip().startswith("- ") and _indent(following) == _indent(line)
        if _indent(following) <= _indent(line) or sibling_item:
            found.append(index)
    return found


@st.composite
def _mutated_real_stack(draw) -> str:
    """Pulumi.dev.yaml or Pulumi.prod.yaml with a few values replaced, lines repeated, removed or
    added: documents that stay YAML (mostly) and reach the schema and the S3 checks."""
    lines = list(draw(st.sampled_from(_real_stack_lines())))
    for _ in range(draw(st.integers(1, 4))):
        leaves = _leaves(lines)
        if not leaves:
            break
        index = draw(st.sampled_from(leaves))
        line = lines[index]
        edit = draw(st.sampled_from(["value", "value", "value", "value", "repeat", "remove", "add"]))
        if edit == "value":
            head = line.split(": ", 1)[0] + ": " if ": " in line else line[: line.index("- ") + 2]
            value = draw(st.one_of(_plausible, _plausible, _plausible, nodes.map(flow),
                                   st.builds(_with_prefix, _prefix(), scalar_text)))
            lines[index] = head + value
        elif edit == "repeat":
            lines.insert(index, line)
        elif edit == "remove":
            del lines[index]
        else:
            value = draw(st.one_of(_plausible, nodes.map(flow)))
            top = [i for i, other in enumerate(lines) if _indent(other) == 2 and not other.lstrip().startswith("#")]
            lines.insert(draw(st.sampled_from(top or [len(lines)])), f"  {draw(st.sampled_from(CONFIG_KEYS))}: {value}")
    return "\n".join(lines) + "\n"


# Weighted by repetition: mostly documents close to a real stack, then generated ones, then edits.
yaml_stack_texts = st.one_of(
    _mutated_real_stack(), _mutated_real_stack(), _mutated_real_stack(), _mutated_real_stack(),
    _stack_document(), _stack_document(), _edited(_stack_document()),
    st.builds(block, nodes), _edited(st.builds(block, nodes)), SPECIAL_DOCUMENTS,
)
yaml_project_texts = st.one_of(_project_document(), _project_document(), _edited(_project_document()),
                               _edited(st.builds(block, nodes)))


def _encoded(text: str, encoding: str) -> bytes:
    if encoding == "surrogate":  # a lone surrogate: bytes that are not UTF-8
        return (text[: len(text) // 2] + "\ud800" + text[len(text) // 2 :]).encode("utf-8", "surrogatepass")
    if encoding == "latin-1":
        return (text + "é").encode("utf-8", "surrogatepass").replace("é".encode(), b"\xe9")
    return text.encode(encoding, "surrogatepass")  # raw text may hold a surrogate: not UTF-8 then


def as_bytes(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Mostly UTF-8; sometimes UTF-16 (with its BOM), Latin-1 bytes or a lone surrogate."""
    return st.builds(_encoded, texts, st.sampled_from(["utf-8"] * 40 + ["utf-16", "latin-1", "surrogate"]))


# --- JSON ----------------------------------------------------------------------------------------

JSON_KEYS = [
    "formatVersion", "resources", "environment", "settings", "outputs", "source", "type", "urn", "name",
    "inputs", "computed", "options", "custom", "protect", "retainOnDelete", "propertyDependencies", "accountId",
    "region", "partition", "production", "perimeter", "administrators", "deployer", "policy", "Version",
    "Statement", "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
    "Condition", "Bool", "StringEquals", "aws:SecureTransport", "AWS", "Service", "zoneBuckets", "logsBucket",
    "queryResultsBucket", "keyArn", "arn", "bucket", "x", "x",
]
JSON_STRINGS = [
    "", "2012-10-17", "2008-10-17", "Allow", "Deny", "allow", "*", "s3:*", "s3:GetObject", "s3:Get*", "kms:Decrypt",
    "arn:aws:s3:::mlteam-dev-raw", "arn:aws:s3:::mlteam-dev-raw/*", "arn:aws:iam::123456789012:root",
    "arn:aws:iam::123456789012:role/LakeAdmin", "arn:aws:kms:us-east-1:123456789012:key/abc", "123456789012",
    "١٢٣٤٥٦٧٨٩٠١٢", "us-east-1", "aws", "plan", "live", "mlteam-dev-raw", "Not_A_Bucket", "aws:s3/bucket:Bucket",
    "aws:s3/bucketPolicy:BucketPolicy", "aws:kms/key:Key", "true", "false", "{}", "[]", '{"Statement": "x"}',
    "[" * 5000, "\u2028", "é", "🙂",
]
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(JSON_STRINGS), st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(JSON_KEYS), st.text(max_size=10)), children, max_size=6),
    ),
    max_leaves=40,
)


def _json_text(value: Any, indent: int | None) -> str:
    return json.dumps(value, indent=indent, ensure_ascii=False)


SPECIAL_JSON = st.one_of(
    st.integers(30, 100_000).map(lambda n: "[" * n + "]" * n),
    st.integers(30, 5_000).map(lambda n: '{"a": ' * n + "1" + "}" * n),
    st.integers(30, 100_000).map(lambda n: "[" * n),
    st.just('{"a": NaN}'), st.just('{"a": Infinity}'), st.just('{"a": -Infinity}'), st.just('{"a": 1e400}'),
    st.just('{"a": 1' + "0" * 5000 + "}"), st.just('{"a": 1, "a": 2}'),
    st.just('{"Version": "2012-10-17", "Version": "x"}'),
    st.just(""), st.just(" "), st.just("null"), st.just("[]"), st.just('"text"'), st.just("1"), st.just("\ufeff{}"),
    st.just('{"a": "\\ud800"}'), st.just("{'a': 1}"), st.just('{"a": 1,}'), st.just("{} {}"),
)


@st.composite
def _edited_json(draw, texts: st.SearchStrategy[str]) -> str:
    text = draw(texts)
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "truncate"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(list('[]{}",:\\ 0-eE') + ["NaN", "\x00", "\u00a0"])) + text[at:]
        elif edit == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 10)):]
        else:
            text = text[:at]
    return text


json_texts = st.one_of(
    _edited_json(st.builds(_json_text, json_values, st.sampled_from([None, 2]))),
    st.builds(_json_text, json_values, st.sampled_from([None, 2])),
    SPECIAL_JSON,
)
json_bytes = as_bytes(json_texts)


def json_objects_like(example: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``example`` with a few of its values (at any depth) replaced by random JSON, or removed:
    documents that get past a reader's first checks and reach what it does with the content."""

    @st.composite
    def mutated(draw) -> dict[str, Any]:
        document = json.loads(json.dumps(example))
        for _ in range(draw(st.integers(1, 4))):
            parent, key = _pick(draw, document)
            if parent is None:
                continue
            if draw(st.booleans()) and isinstance(parent, dict):
                del parent[key]
            else:
                parent[key] = draw(json_values)
        return document

    return mutated()


def _pick(draw, document: Any) -> tuple[Any, Any]:
    """A (container, key) somewhere in ``document``: a random walk down from the top."""
    parent, key, node = None, None, document
    while isinstance(node, dict | list) and node:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        parent, key = node, draw(st.sampled_from(keys))
        node = node[key]
        if draw(st.integers(0, 3)) == 0:
            break
    return parent, key
