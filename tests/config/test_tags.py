"""``datalake:tags`` follows AWS's tag rules: lengths, character set, the reserved ``aws:`` prefix."""

from __future__ import annotations

import pytest

from lake.config import load_settings
from tests.config.helpers import SOURCE, STACK, error_lines, lake

P = f"{SOURCE}: datalake:tags"
RULE = "AWS allows letters, digits, spaces and _ . : / = + - @ in tags"


@pytest.mark.parametrize("tags", [
    pytest.param({"team": "ml-platform", "cost-center": "ml research"}, id="plain"),
    pytest.param({"a" * 128: "v" * 256}, id="longest"),
    pytest.param({"owner": ""}, id="empty-value"),
    pytest.param({"_ . : / = + - @": "_ . : / = + - @"}, id="every-symbol"),
    pytest.param({"équipe": "données", "チーム": "機械学習", "team\u00a0\u3000": "\u0661\u0662"}, id="unicode-letters-digits-spaces"),
    pytest.param({"project:aws": "my-aws:thing", "awsome": "aws"}, id="aws-not-as-prefix"),
])
def test_tags_aws_accepts(tags):
    assert load_settings(lake(tags=tags), STACK, SOURCE).settings.tags == tags


@pytest.mark.parametrize(("tags", "expected"), [
    pytest.param({"cost center\n": "x"}, [f"{P}[\"cost center\\n\"]: tag key contains '\\n' (U+000A); {RULE}"],
                 id="key-newline"),
    pytest.param({"team": "ml\tplatform"}, [f"{P}.team: tag value contains '\\t' (U+0009); {RULE}"], id="value-tab"),
    pytest.param({"team": "ml!"}, [f"{P}.team: tag value contains '!' (U+0021); {RULE}"], id="value-punctuation"),
    pytest.param({"team#1": "ml"}, [f"{P}[\"team#1\"]: tag key contains '#' (U+0023); {RULE}"], id="key-punctuation"),
    pytest.param({"team": "a\u2028b"}, [f"{P}.team: tag value contains '\\u2028' (U+2028); {RULE}"],
                 id="value-line-separator-is-not-a-space"),
    pytest.param({"team": "ml\x00"}, [f"{P}.team: tag value contains '\\x00' (U+0000); {RULE}"], id="value-nul"),
    pytest.param({"team": "😀"}, [f"{P}.team: tag value contains '😀' (U+1F600); {RULE}"], id="value-emoji"),
    pytest.param(
        {"AWS:team": "ml"},
        [f"{P}[\"AWS:team\"]: expected a key not starting with 'aws:' in any case (that prefix is reserved for AWS), "
         "got string 'AWS:team'"],
        id="key-reserved-prefix-any-case",
    ),
    pytest.param(
        {"team": "Aws:ml"},
        [f"{P}.team: expected a value not starting with 'aws:' in any case (that prefix is reserved for AWS), "
         "got string 'Aws:ml'"],
        id="value-reserved-prefix",
    ),
    pytest.param({"k" * 129: "v"}, [f"{P}.{'k' * 129}: expected a length from 1 to 128 characters, got 129"],
                 id="key-too-long"),
    pytest.param({"team": "é" * 257}, [f"{P}.team: expected a length of at most 256 characters, got 257"],
                 id="value-too-long-in-characters"),
    pytest.param(
        {"team\n": "ml!", "ok": "fine"},
        [f"{P}[\"team\\n\"]: tag key contains '\\n' (U+000A); {RULE}",
         f"{P}[\"team\\n\"]: tag value contains '!' (U+0021); {RULE}"],
        id="key-and-value",
    ),
])
def test_tags_aws_refuses(tags, expected):
    assert error_lines(lake(tags=tags)) == expected


def test_the_problem_lines_stay_single_lines():
    lines = error_lines(lake(tags={"a\nb": "c\u2029d"}))
    assert len(lines) == 2
