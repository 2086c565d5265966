"""Text for a terminal (lake/terminal.py): counts that read right, lines that fit."""

from lake.terminal import WIDTH, counted, fit, fit_items


def test_counts_in_the_singular_and_the_plural():
    assert [counted(n, "rule") for n in (0, 1, 2)] == ["0 rules", "1 rule", "2 rules"]
    assert counted(2, "policy", "policies") == "2 policies"


def test_a_long_line_is_wrapped_at_spaces_with_its_continuation_indented():
    line = "          bucket: " + " ".join(["word"] * 40)
    lines = fit(line)
    assert len(lines) == 2 and all(len(part) <= WIDTH for part in lines)
    assert lines[1].startswith(" " * 12 + "word") and " ".join(p.strip() for p in lines) == line.strip()
    assert fit("short") == ["short"]


def test_items_are_never_split_across_lines():
    items = [f"uploads with SSE-KMS, key {i} (Deny{i})" for i in range(10)]
    lines = fit_items("  denied: ", items, "; ", "    ", width=60)
    assert all(len(line) <= 60 for line in lines)
    assert "; ".join(items) == " ".join(line.strip() for line in lines).removeprefix("denied: ")
