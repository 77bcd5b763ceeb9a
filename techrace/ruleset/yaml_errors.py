"""PyYAML's syntax errors in plain words, located where the modder must look.

PyYAML says "found character that cannot start any token" for a tab and reports an unclosed bracket
where the file ends; a modder needs "a tab: indent with spaces" and the line of the opening bracket.
"""

from __future__ import annotations

import yaml


def _char_at(text: str, mark: yaml.Mark | None) -> str:
    if mark is None:
        return ""
    lines = text.split("\n")
    if mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def _where(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def explain_yaml_error(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """(line, column, message) for a YAML syntax error: the cause in words, at the place to fix."""
    problem = " ".join((exc.problem or "").split())
    context = " ".join((exc.context or "").split())
    here, opened = exc.problem_mark, exc.context_mark
    char = _char_at(text, here)
    if char == "\t" or "tab" in problem:
        return (*_where(here), "a tab character: YAML indents with spaces only — replace the tab with spaces")
    if "cannot start any token" in problem and char:
        return (*_where(here), f"a value cannot start with {char!r}: put the value in quotes ('{char}...')")
    if "flow sequence" in context or "flow mapping" in context:
        bracket = _char_at(text, opened) or ("[" if "sequence" in context else "{")
        closing = "]" if bracket == "[" else "}"
        return (*_where(opened), f"this {bracket!r} is never closed: add {closing!r} (or a ',' between items)")
    if "quoted scalar" in context and "end of stream" in problem:
        quote = _char_at(text, opened) or "'"
        doubled = " (a ' inside single quotes is written '')" if quote == "'" else ""
        return (*_where(opened), f"this {quote} quote is never closed: add the closing {quote}{doubled}")
    if "mapping values are not allowed" in problem:
        return (*_where(here), "unexpected ':': quote a value that contains ': ', or fix the indentation of this line "
                               "(a key must line up with the keys beside it)")
    if "did not find expected key" in problem:
        return (*_where(here), "this line does not line up with the keys above it (check its indentation), "
                               "or text follows a closing quote or bracket")
    if "expected '-' indicator" in problem:
        return (*_where(here), "a `key:` line among `- item` lines: check the indentation")
    if "could not find expected ':'" in problem:
        return (*_where(here), "a line without ':': every line of a mapping is `key: value`")
    if "undefined alias" in problem:
        return (*_where(here), "this *alias names no &anchor above it")
    if "duplicate anchor" in context:
        return (*_where(here), "this &anchor is already defined above")
    if "single document" in context:
        return (*_where(here), "a second document (---): a ruleset file holds one document")
    words = "; ".join(part for part in (context, problem) if part)
    return (*_where(here or opened), f"bad YAML: {words}")
