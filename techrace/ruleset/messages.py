"""Pydantic's validation errors in the modder's words.

One translation per pydantic error *type* (and per shared annotated type: quarters, shares, ids), never
per field, so a new schema field gets modder-friendly messages for free. Values are shown as YAML
shows them (`true`, `.inf`, `the date 2026-01-01`), never as Python reprs, and no regex reaches the
modder.
"""

from __future__ import annotations

import datetime
import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

from techrace.ruleset.layers import suggest

_QUARTER_HINT = "a quarter like 2026Q1"
_YAML_BOOL_HINT = " (YAML reads yes/no/on/off/true/false as true or false: quote the text, e.g. 'NO')"
_NULL_HINT = " (an empty `key:` means null and replaces what the layers below set: delete the line, or write `{}`)"


@dataclass(frozen=True)
class Expected:
    """What the schema expects at a path: its annotation (unions and Annotated kept) and, for a key, its name."""

    annotation: Any = None
    key: str | int | None = None

    def patterns(self) -> list[str]:
        return _patterns(self.annotation)

    def literals(self) -> list[str]:
        return [str(a) for a in _literal_values(self.annotation)]

    @property
    def is_quarter(self) -> bool:
        return any("Q[1-4]" in p for p in self.patterns())


def _args(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp) if typing.get_origin(tp) in (typing.Annotated, typing.Union, types.UnionType) else ()


def _patterns(tp: Any) -> list[str]:
    """Regex patterns attached to a type (through Annotated and unions), to tell quarters and ids apart."""
    found = []
    for item in [tp, *_args(tp)]:
        for meta in getattr(item, "metadata", None) or []:
            if getattr(meta, "pattern", None):
                found.append(meta.pattern)
        if item is not tp:
            found += _patterns(item)
    return found


def _literal_values(tp: Any) -> list[Any]:
    if typing.get_origin(tp) is typing.Literal:
        return list(typing.get_args(tp))
    return [v for arg in _args(tp) for v in _literal_values(arg)]


def shown(value: Any) -> str:
    """A value as a modder wrote it in YAML."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return f"{value:g}" if abs(value) >= 1e15 or (value and abs(value) < 1e-4) else repr(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else f"{value:.3g}"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return "'" + text.encode("unicode_escape").decode("ascii").replace("'", "\\'") + "'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _quarter_from(value: Any) -> str | None:
    """The quarter a date-like value means (2026-01-01 -> 2026Q1, '2026-05' -> 2026Q2), if any."""
    if isinstance(value, datetime.date):
        return f"{value.year}Q{(value.month - 1) // 3 + 1}"
    match = re.fullmatch(r"\s*(\d{4})[-/ ]?(?:([Qq])([1-4])|(\d{1,2})(?:[-/]\d{1,2})?)\s*", str(value))
    if not match:
        return None
    if match.group(3):
        return f"{match.group(1)}Q{match.group(3)}"
    month = int(match.group(4))
    return f"{match.group(1)}Q{(month - 1) // 3 + 1}" if 1 <= month <= 12 else None


def quarter_message(value: Any) -> str:
    guess = _quarter_from(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}Q\d+", value):
        return f"expected {_QUARTER_HINT}, got {shown(value)}: quarters run Q1 to Q4"
    hint = f" — did you mean {guess}?" if guess and guess != value else ""
    return f"expected {_QUARTER_HINT}, got {shown(value)}{hint}"


def _pattern_message(value: Any, expected: Expected) -> str:
    patterns = expected.patterns() or [""]
    if expected.is_quarter:
        return quarter_message(value)
    pattern = patterns[0]
    if "==|!=" in pattern:
        return f"expected a requirement like 'techrace >= 0.2' (a name, then version bounds), got {shown(value)}"
    if pattern.startswith("^[0-9]"):
        return f"expected a version like 1.2.0, got {shown(value)}"
    return f"expected an id: a letter, then letters, digits, '_' or '-' (no spaces), got {shown(value)}"


def _share_message(value: Any) -> str:
    text = f"expected a share between 0 and 1 (0.05 means 5%), got {shown(value)}"
    if isinstance(value, int | float) and 1 < value <= 100:
        text += f" — did you mean {value / 100:g}?"
    return text


def _bound(kind: str, ctx: dict[str, Any], value: Any) -> str:
    limit = next(iter(ctx.values())) if ctx else "?"
    limit_text = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
    if kind == "less_than_equal" and limit == 1 and isinstance(value, int | float) and value > 1:
        return _share_message(value)
    if kind == "greater_than_equal" and limit == 0:
        return f"cannot be negative, got {shown(value)}"
    words = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than",
             "less_than_equal": "at most"}[kind]
    return f"must be {words} {limit_text}, got {shown(value)}"


def _text_expected(value: Any, expected: Expected) -> str:
    if expected.is_quarter:
        return quarter_message(value)
    message = f"expected text, got {shown(value)}"
    if isinstance(value, bool):
        return message + _YAML_BOOL_HINT
    if isinstance(value, int | float | datetime.date):
        return message + f" (quote it to keep it as text: '{value}')"
    return message


def _container(kind: str, value: Any) -> str:
    what = {"dict_type": "a mapping (`key: value` lines)", "model_type": "a mapping of fields (`key: value` lines)",
            "list_type": "a list ([a, b] or `- item` lines)"}[kind]
    message = f"expected {what}, got {shown(value)}"
    if value is None:
        return f"expected {what}, got nothing{_NULL_HINT}"
    if kind == "list_type" and isinstance(value, str | int | float):
        return message + f" (a list of one is written [{value}])"
    return message


def missing_message(keys: list[tuple[str, Expected]]) -> str:
    """`required key 'bloc' is missing (one of: ...)` for one or several keys of one entry."""
    parts = []
    for key, expected in keys:
        options = expected.literals()
        parts.append(f"'{key}'" + (f" (one of: {', '.join(options)})" if options else ""))
    if len(parts) == 1:
        return f"required key {parts[0]} is missing"
    return f"required keys are missing: {', '.join(parts)}"


def describe(error: dict[str, Any], expected: Expected) -> str:
    """One pydantic error (not `missing` or `extra_forbidden`, which need the data around them) in words."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        return _pattern_message(value, expected)
    if kind == "string_type":
        return _text_expected(value, expected)
    if kind == "literal_error":
        options = expected.literals() or [o.strip().strip("'") for o in str(ctx.get("expected", "")).replace(" or ", ",").split(",")]
        message = f"expected one of {', '.join(options)}, got {shown(value)}"
        if isinstance(value, bool):
            return message + _YAML_BOOL_HINT
        hint = suggest(value, options) if isinstance(value, str) else ""
        return message + hint
    if kind in ("float_type", "float_parsing"):
        return f"expected a number, got {shown(value)}" + (_YAML_BOOL_HINT if isinstance(value, bool) else "")
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return f"expected a whole number, got {shown(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {shown(value)}"
    if kind in ("dict_type", "model_type", "list_type"):
        return _container(kind, value)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        return _bound(kind, ctx, value)
    if kind == "finite_number":
        return f"expected a finite number, got {shown(value)}"
    if kind == "number_too_large":
        return f"number too large: {shown(value)} (numbers in a ruleset stay within ±{ctx.get('limit', 1e36):g})"
    if kind == "too_short":
        what = "entry" if isinstance(value, dict) else "item"
        return f"needs at least {ctx.get('min_length', 1)} {what}(s), got none"
    if kind == "too_long":
        return f"has too many items (at most {ctx.get('max_length')})"
    if kind == "string_too_short":
        return "cannot be empty"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    return error["msg"] + (f", got {shown(value)}" if not isinstance(value, dict | list) else "")
