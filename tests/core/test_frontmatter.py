"""Frontmatter reading: plain fields without YAML, YAML when needed, broken input tolerated."""

from __future__ import annotations

import pytest

from skillmeat.core.marketplace.detection.frontmatter import (
    parse_markdown,
    read_frontmatter,
    split_fence,
)
from skillmeat.core.marketplace.detection.placeholders import (
    is_placeholder_name,
    is_placeholder_text,
)


def test_plain_quoted_folded_and_nested_fields() -> None:
    doc = parse_markdown(
        b'---\nname: "reviewer"\ndescription: >\n  Reviews code\n  for bugs: all of them\n'
        b"tools:\n  - Read\n  - Grep\nmodel: sonnet # default\n---\n# Code reviewer\n"
    )
    assert doc.has_frontmatter
    assert doc.text("name") == "reviewer"
    assert doc.text("description") == "Reviews code for bugs: all of them"
    assert doc.has("tools") and doc.text("model") == "sonnet"
    assert doc.heading == "Code reviewer"


def test_yaml_for_rich_text_fields() -> None:
    doc = parse_markdown(
        b'---\nname: x\ndescription: "a \\"quoted\\" word"\nmetadata:\n  version: 2.1\n---\n'
    )
    assert doc.text("description") == 'a "quoted" word'
    assert doc.fields["metadata"] == {"version": 2.1}


def test_broken_yaml_and_cut_off_blocks_are_tolerated() -> None:
    broken = parse_markdown(b"---\nname: x\ndescription: [unclosed\n---\nbody")
    assert broken.text("name") == "x"
    cut = parse_markdown(b"---\nname: y\ndescription: Long text that was cut")
    assert cut.has_frontmatter and cut.text("name") == "y"
    assert parse_markdown(b"\xff\xfe garbage").fields == {}
    assert not parse_markdown(b"# Title\n---\nname: z\n---\n").has_frontmatter


def test_placeholders() -> None:
    assert is_placeholder_text("Replace with description of the skill and when to use it.")
    assert is_placeholder_text("[Your description here]")
    assert is_placeholder_text("{{description}}")
    assert not is_placeholder_text("Fill in PDF forms and extract tables.")
    assert not is_placeholder_text("Validate {{ $json.field }} expressions in workflows.")
    assert not is_placeholder_text("Add a description to the pull request.")
    assert is_placeholder_name("your-skill-name") and not is_placeholder_name("pdf")


@pytest.mark.parametrize("text, block, body", [
    ("---\nname: a\n---\nbody\n", "name: a\n", "body\n"),
    ("---  \r\nname: a\r\n...\r\nbody", "name: a\r\n", "body"),
    ("---\n---\n", "", ""),
    ("---\nname: a\n", "name: a\n", None),  # never closed (or a read cut short)
    ("# T\n---\nname: z\n---\n", None, "# T\n---\nname: z\n---\n"),
    ("----\nname: a\n---\n", None, "----\nname: a\n---\n"),
    ("---", None, "---"),  # a lone rule, not an opening fence
])
def test_one_rule_finds_the_frontmatter_block(text: str, block: str | None,
                                              body: str | None) -> None:
    assert split_fence(text) == (block, body)


@pytest.mark.parametrize("text", [
    "---\nname: a\ndescription: b\n---\n# A\n", "\ufeff---\nname: a\n---\nbody",
    "---\r\nname: a\r\n...\r\nbody", "plain text\n", "---\nname: a\n",
])
def test_browsing_and_detection_agree_on_block_and_body(text: str) -> None:
    fields, error, body = read_frontmatter(text)
    doc = parse_markdown(text.encode())
    assert doc.has_frontmatter == (fields is not None or error is not None)
    if fields is not None:
        assert doc.body == body
        assert {k: doc.text(k) for k in fields} == fields


def test_what_cannot_be_shown_says_why() -> None:
    assert read_frontmatter("---\nname: a\n")[1] == (
        "frontmatter is not closed: no line with --- after the first")
    assert read_frontmatter("---\n- a\n---\n")[1] == (
        "frontmatter is a list, not a mapping of fields")
    assert str(read_frontmatter("---\nname: [a\n---\n")[1]).startswith("invalid YAML")
    nested = "x:\n" + "".join("  " * i + "- \n" for i in range(1, 60))
    deep = read_frontmatter(f"---\n{nested}---\nbody\n")
    assert deep == (None, "frontmatter not read: YAML is nested deeper than 50 levels", "body\n")
    aliases = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    assert read_frontmatter(f"---\n{aliases}---\n")[1] == (
        "frontmatter not read: YAML expands to more than 10,000 nodes (aliases count as what "
        "they repeat)")
