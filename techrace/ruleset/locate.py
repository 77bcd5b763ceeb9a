"""Turn pydantic validation errors into located findings: `file:line:col: key.path: message [layer L]`.

The schema (pydantic) does the checking; `messages` puts each error in the modder's words; this module
says where each problem was written, folds the missing keys of one entry into one line, and notices
when those missing keys mean the modder misspelt the id of an entry that exists (`TMSC:` for `TSMC:`).
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from techrace.ruleset.layers import dotted, suggest
from techrace.ruleset.messages import Expected, describe, missing_message
from techrace.ruleset.source import KeyPath, Mark


@dataclass(frozen=True)
class Finding:
    """One problem at a key path; `knock_on` when it may only follow from another problem (a missing key
    that an unreadable file may have set, a name that points at something removed or never read)."""

    path: KeyPath
    message: str
    knock_on: bool = False


def locate(path: KeyPath, where: dict[KeyPath, Mark], fallback: Mark) -> Mark:
    """The mark of `path`, or of its nearest written ancestor."""
    for depth in range(len(path), 0, -1):
        if path[:depth] in where:
            return where[path[:depth]]
    return fallback


def located(path: KeyPath, message: str, where: dict[KeyPath, Mark], fallback: Mark) -> str:
    mark = locate(path, where, fallback)
    return f"{mark}: {dotted(path)}: {message} [layer {mark.layer}]"


def render(findings: list[Finding], where: dict[KeyPath, Mark], fallback: Mark) -> list[str]:
    return [located(f.path, f.message, where, fallback) for f in findings]


def _members(tp: Any) -> list[Any]:
    """The alternatives of a union (or the type itself), with Annotated unwrapped."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def expected_at(root: type[BaseModel], path: KeyPath) -> Expected:
    """What the schema expects at `path` (the raw annotation, so quarters and ids can be told apart)."""
    current: list[Any] = [root]
    annotation: Any = None
    for part in path:
        nxt: list[Any] = []
        annotation = None
        for tp in current:
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                for name, info in tp.model_fields.items():
                    if part in (name, info.alias):
                        annotation = typing.Annotated[info.annotation, info] if info.metadata else info.annotation
                        nxt += _members(info.annotation)
            elif typing.get_origin(tp) is dict:
                annotation = typing.get_args(tp)[1]
                nxt += _members(annotation)
            elif typing.get_origin(tp) is list and isinstance(part, int):
                annotation = typing.get_args(tp)[0]
                nxt += _members(annotation)
        current = nxt
    return Expected(annotation, path[-1] if path else None)


def model_at(root: type[BaseModel], path: KeyPath) -> type[BaseModel] | None:
    """The schema model that describes the mapping at `path`, if any."""
    for tp in _members(expected_at(root, path).annotation) if path else [root]:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


_BRANCHES = {"str", "int", "float", "bool", "list", "dict", "none", "literal", "constrained-str", "nullable"}


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


def _unknown_key(root: type[BaseModel], path: KeyPath) -> str:
    model = model_at(root, path[:-1])
    names = field_names(model) if model else []
    hint = suggest(path[-1], names) if model else ""
    return f"unknown key {path[-1]!r}{hint}" + ("" if hint else f" (allowed: {', '.join(names)})" if names else "")


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part] if isinstance(data, dict | list) else None
    return data


def _missing(root: type[BaseModel], data: dict[str, Any], entry: KeyPath, keys: list[str],
             is_new_entry: Callable[[KeyPath], bool], removed: Callable[[KeyPath], str | None]) -> Finding:
    """The missing keys of one entry as one finding; a new entry named like an existing one is a misspelling."""
    siblings = _get(data, entry[:-1])
    if entry and isinstance(entry[-1], str) and isinstance(siblings, dict) and is_new_entry(entry):
        hint = suggest(entry[-1], [k for k in siblings if k != entry[-1] and not is_new_entry(entry[:-1] + (k,))])
        if hint:
            return Finding(entry, f"adds a new entry {entry[-1]!r}, which lacks {', '.join(repr(k) for k in keys)}{hint} "
                                  "(to change an entry, write its exact id)")
    expected = [(key, expected_at(root, entry + (key,))) for key in keys]
    removals = [f"'{key}' {removed(entry + (key,))}" for key in keys if removed(entry + (key,))]
    if removals:  # the cause is a `!remove`, not a forgotten key
        return Finding(entry, missing_message(expected) + f" ({'; '.join(removals)})")
    return Finding(entry, missing_message(expected), knock_on=True)


def schema_findings(root: type[BaseModel], data: dict[str, Any],
                    is_new_entry: Callable[[KeyPath], bool] = lambda path: False,
                    removed: Callable[[KeyPath], str | None] = lambda path: None,
                    context: dict[str, Any] | None = None) -> tuple[BaseModel | None, list[Finding]]:
    """The validated model, or None and every schema error of `data` as findings in the modder's words
    (`context` goes to the validators: the loader says it checks cross-references itself)."""
    try:
        return root.model_validate(data, context=context), []
    except ValidationError as exc:
        errors = exc.errors()
    findings: list[Finding] = []
    missing: dict[KeyPath, list[str]] = {}
    seen: set[KeyPath] = set()
    for error in errors:
        path = _data_path(data, error["loc"])
        if error["type"] == "number_too_large":  # found inside a mapping or list field: point at the number
            path += tuple((error.get("ctx") or {}).get("at", ()))
            error = {**error, "input": error["ctx"]["number"]}
        if error["type"] == "missing":
            missing.setdefault(path[:-1], []).append(str(path[-1]))
        elif error["type"] == "extra_forbidden":
            findings.append(Finding(path, _unknown_key(root, path)))
        elif path not in seen:  # the branches of a union (`extends: 5`) say one thing once
            findings.append(Finding(path, describe(error, expected_at(root, path))))
        seen.add(path)
    findings += [_missing(root, data, entry, keys, is_new_entry, removed) for entry, keys in missing.items()]
    return None, findings


def validate_located(root: type[BaseModel], data: dict[str, Any], where: dict[KeyPath, Mark],
                     fallback: Mark) -> tuple[BaseModel | None, list[str]]:
    """The validated model, or None and every schema error of `data` as a located line, in file order."""
    model, findings = schema_findings(root, data)
    lines = [(locate(f.path, where, fallback), f) for f in findings]
    lines.sort(key=lambda item: (item[0].file, item[0].line, item[0].col))
    return model, [located(f.path, f.message, where, fallback) for _, f in lines]


def _near_miss(new: str, old: str) -> bool:
    """`chian` for `china`, `Tsmc` for `TSMC`; not `TSMC-AZ2` beside `TSMC-AZ`, `N2` beside `N3` or
    `in_self_reliance` beside `cn_self_reliance` (real additions: one whole word differs, as ids named by
    nation do, and that word is no misspelling of the other)."""
    a, b = new.lower(), old.lower()
    if a == b:
        return True
    if a.startswith(b) or b.startswith(a) or a.strip("0123456789") == b.strip("0123456789"):
        return False
    words_a, words_b = re.split(r"[_\-]", a), re.split(r"[_\-]", b)
    changed = [(x, y) for x, y in zip(words_a, words_b, strict=False) if x != y]
    if len(words_a) == len(words_b) > 1 and len(changed) == 1 and not _near_miss(*changed[0]):
        return False
    return sorted(a) == sorted(b) or difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def near_miss_findings(data: dict[str, Any], added: set[KeyPath], flagged: set[KeyPath]) -> list[Finding]:
    """Entries a mod adds whose id is a near miss of an existing one: its values were probably meant for that
    entry. Entries lacking required keys are already `flagged` (with a did-you-mean) and are skipped."""
    findings = []
    for path in sorted(added, key=lambda p: [str(x) for x in p]):
        siblings, entry = _get(data, path[:-1]), _get(data, path)
        if path in flagged or not isinstance(entry, dict) or not isinstance(siblings, dict) or not isinstance(path[-1], str):
            continue
        old = [k for k in siblings if k != path[-1] and path[:-1] + (k,) not in added and isinstance(siblings[k], dict)]
        match = next((k for k in old if _near_miss(path[-1], k)), None)
        if match:
            findings.append(Finding(path, f"adds a new entry {path[-1]!r} beside the existing {match!r}: "
                                          f"did you mean to change {match!r}? (if not, pick a more distinct id)"))
    return findings
