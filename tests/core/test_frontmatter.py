"""Frontmatter reading: plain fields without YAML, YAML when needed, broken input tolerated."""

from __future__ import annotations

from skillmeat.core.marketplace.detection.frontmatter import parse_markdown
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
