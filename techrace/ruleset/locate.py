"""Turn pydantic validation errors into `file:line:col: key.path: message [layer L]` lines.

The schema (pydantic) does the checking; this module only says where each problem was written and adds
a did-you-mean for unknown keys and a hint for YAML's yes/no/on/off booleans.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from techrace.ruleset.layers import dotted, suggest
from techrace.ruleset.source import KeyPath, Mark


def locate(path: KeyPath, where: dict[KeyPath, Mark], fallback: Mark) -> Mark:
    """The mark of `path`, or of its nearest written ancestor."""
    for depth in range(len(path), 0, -1):
        if path[:depth] in where:
            return where[path[:depth]]
    return fallback


def located(path: KeyPath, message: str, where: dict[KeyPath, Mark], fallback: Mark) -> str:
    mark = locate(path, where, fallback)
    return f"{mark}: {dotted(path)}: {message} [layer {mark.layer}]"


def _members(tp: Any) -> list[Any]:
    """The alternatives of a union (or the type itself), with Annotated unwrapped."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def model_at(root: type[BaseModel], path: KeyPath) -> type[BaseModel] | None:
    """The schema model that describes the mapping at `path`, if any."""
    current: list[Any] = [root]
    for part in path:
        nxt: list[Any] = []
        for tp in current:
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, info in tp.model_fields.items():
                    if part in (name, info.alias):
                        nxt += _members(info.annotation)
            elif typing.get_origin(tp) is dict:
                nxt += _members(typing.get_args(tp)[1])
            elif typing.get_origin(tp) is list and isinstance(part, int):
                nxt += _members(typing.get_args(tp)[0])
        current = nxt
    for tp in current:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _data_path(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Pydantic's loc reduced to the keys that exist in the data (drops union-branch and '[key]' parts)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not part.startswith(("[", "function-")) and part not in _BRANCHES:
            path.append(part)  # a missing key: located at its parent
            node = None
    return tuple(path)


_BRANCHES = {"str", "int", "float", "bool", "list", "dict", "none", "literal", "constrained-str", "nullable"}


def _message(root: type[BaseModel], error: dict[str, Any], path: KeyPath) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        model = model_at(root, path[:-1])
        names = field_names(model) if model else []
        hint = suggest(path[-1], names) if model else ""
        return f"unknown key {path[-1]!r}{hint}" + ("" if hint else f" (allowed: {', '.join(names)})" if names else "")
    if kind == "missing":
        return f"required key {path[-1]!r} is missing"
    message = error["msg"]
    value = error.get("input")
    if kind == "literal_error" and isinstance(value, str):
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        message += suggest(value, options)
    if isinstance(value, bool) and kind in ("string_type", "literal_error", "string_pattern_mismatch"):
        message += " (YAML reads yes/no/on/off/true/false as true or false: quote the text, e.g. 'NO')"
    if value is None and kind in ("model_type", "dict_type", "list_type"):
        return message + " (an empty `key:` means null and replaces what the layers below set: delete the line, or write `{}`)"
    if kind not in ("model_type", "dict_type", "list_type") and not isinstance(value, dict | list):
        shown = repr(value)
        message += f", got {shown[:60]}{'...' if len(shown) > 60 else ''}"
    return message


def validate_located(root: type[BaseModel], data: dict[str, Any], where: dict[KeyPath, Mark],
                     fallback: Mark) -> tuple[BaseModel | None, list[str]]:
    """The validated model, or None and every schema error of `data` as a located line, in file order."""
    try:
        return root.model_validate(data), []
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            path = _data_path(data, error["loc"])
            mark = locate(path, where, fallback)
            lines.append((mark.file, mark.line, mark.col, f"{mark}: {dotted(path)}: {_message(root, error, path)} [layer {mark.layer}]"))
        return None, [line for *_, line in sorted(lines)]
