"""Layers: read a ruleset directory, follow its `extends` chain, and merge the chain with provenance.

Layering rules (documented in docs/modding.md):
- a mapping merges into the layers below key by key (so a layer adds entries and replaces fields);
- any other value (number, text, list) replaces the value below whole;
- `key: !remove` deletes an entry or field of the layers below;
- `key: !replace {...}` replaces a whole entry instead of merging into it.
Every value remembers which layer and line set it, so errors are located and `explain` can tell the story.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techrace.ruleset.source import REMOVE, KeyPath, Mark, Replace, display_path, marks_of, read_yaml

META_KEYS = ("name", "description", "version", "authors", "requires", "format_version", "extends")
MAX_CHAIN = 32


@dataclass
class Layer:
    """One ruleset directory, its files combined (not yet merged with what it extends)."""

    name: str
    directory: Path
    data: dict[str, Any]
    marks: dict[KeyPath, Mark]
    meta: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # files dropped whole: what they define is missing


@dataclass(frozen=True)
class Origin:
    """One layer's write to a key path: what it did there and with which value."""

    layer: str
    mark: Mark | None
    action: str  # "added", "set", "replaced" or "removed"
    value: Any


_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_\-]+$")


def _key_text(part: str | int) -> str:
    """A key as written in a dotted path; odd keys are quoted with no ':' or '.' left to confuse readers."""
    text = str(part)
    if _PLAIN_KEY.match(text):
        return text
    return ascii(text).replace(":", "\\x3a").replace(".", "\\x2e")


def dotted(path: KeyPath) -> str:
    return ".".join(_key_text(p) for p in path) or "(top)"


def _number(text: str) -> float | None:
    digits = "".join(ch for ch in text if ch.isdigit() or ch == ".").strip(".")
    try:
        return float(digits) if digits else None
    except ValueError:
        return None


ABSENT = object()  # what `within` gives for a path the value does not hold


def within(value: Any, rest: KeyPath) -> Any:
    """The part of `value` (dicts and lists) at the key path `rest`, or ABSENT."""
    for part in rest:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return ABSENT
    return value


def suggest(name: object, candidates: Any) -> str:
    """' — did you mean 'X'?' for the nearest candidate name, or ''. Ties go to the numerically nearest
    (N4 -> N5 rather than N7)."""
    names = [str(c) for c in candidates]
    text = str(name)
    lowered = {n.lower(): n for n in names}
    if text.lower() in lowered:
        return f" — did you mean {lowered[text.lower()]!r}?"
    close = difflib.get_close_matches(text, names, n=5, cutoff=0.5 if len(text) <= 4 else 0.6)
    if not close:
        return ""
    best = difflib.SequenceMatcher(None, text, close[0]).ratio()
    tied = [c for c in close if difflib.SequenceMatcher(None, text, c).ratio() == best]
    wanted = _number(text)
    if wanted is not None and len(tied) > 1:
        tied.sort(key=lambda c: abs((_number(c) if _number(c) is not None else float("inf")) - wanted))
    return f" — did you mean {tied[0]!r}?"


def _misnamed(directory: Path, layer: str) -> list[str]:
    """Files that look like ruleset files but would be skipped (`labs.yml`), so nothing is silently ignored."""
    lines = []
    for path in sorted(directory / name for name in os.listdir(directory)):
        if path.suffix.lower() in (".yml", ".yaml") and path.suffix != ".yaml":
            lines.append(f"{display_path(path)}:1:1: (file): not read: ruleset files end in `.yaml` — "
                         f"rename it to {path.stem}.yaml [layer {layer}]")
    return lines


def read_layer(directory: Path) -> Layer:
    """Combine the YAML files of one ruleset directory; a key set in two of its files is an error."""
    name = directory.name
    files = [directory / "ruleset.yaml"] + sorted(p for p in directory.glob("*.yaml") if p.name != "ruleset.yaml")
    layer = Layer(name, directory, {}, {}, {})
    layer.unreadable += _misnamed(directory, name)
    for path in files:
        source = read_yaml(path, name, root=directory)
        (layer.unreadable if source.unreadable else layer.errors).extend(source.errors)
        for key in META_KEYS:
            if key in source.data:
                value = source.data.pop(key)
                if path.name == "ruleset.yaml":
                    layer.meta[key] = value
                    for p, mark in marks_of(value, (key,), source.marks).items():
                        layer.marks[("@" + key,) + p[1:]] = mark
                else:
                    layer.errors.append(f"{source.marks[(key,)]}: {key}: belongs in ruleset.yaml [layer {name}]")
        _combine(layer, layer.data, source.data, source.marks, ())
    return layer


def _combine(layer: Layer, into: dict[str, Any], data: dict[str, Any], marks: dict[KeyPath, Mark], path: KeyPath) -> None:
    for key, value in data.items():
        p = path + (key,)
        if key not in into:
            into[key] = value
            layer.marks.update(marks_of(value, p, marks))
        elif type(into[key]) is dict and type(value) is dict:
            layer.marks.setdefault(p, marks[p])
            _combine(layer, into[key], value, marks, p)
        else:
            layer.errors.append(f"{marks[p]}: {dotted(p)}: set twice in this layer (also at {layer.marks[p]}) [layer {layer.name}]")


def meta_mark(layer: Layer, key: str) -> Mark:
    return layer.marks.get(("@" + key,), Mark(display_path(layer.directory / "ruleset.yaml"), 1, 1, layer.name))


@dataclass
class Merged:
    """The merged raw data of a chain, where each key path was last written, and every write in order."""

    data: dict[str, Any] = field(default_factory=dict)
    where: dict[KeyPath, Mark] = field(default_factory=dict)
    log: list[tuple[KeyPath, Origin]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self, path: KeyPath, origin: Origin) -> None:
        self.log.append((path, origin))


def merge_layers(layers_bottom_up: list[Layer]) -> Merged:
    """Apply each layer, the base first, recording provenance."""
    merged = Merged()
    for layer in layers_bottom_up:
        _merge(merged, merged.data, layer.data, layer, ())
    return merged


def _forget(merged: Merged, path: KeyPath) -> None:
    for p in [p for p in merged.where if p[: len(path)] == path]:
        del merged.where[p]


def _plain(value: Any, layer: Layer, path: KeyPath, merged: Merged) -> Any:
    """A copy of a written value without layering tags (tags nested where they mean nothing are errors)."""
    if value is REMOVE or (isinstance(value, Replace) and path):
        tag = "!remove" if value is REMOVE else "!replace"
        merged.errors.append(f"{layer.marks.get(path, meta_mark(layer, 'name'))}: {dotted(path)}: `{tag}` has no meaning here "
                             f"(inside a list or a `!replace`) [layer {layer.name}]")
        return None
    if isinstance(value, dict):
        return {k: _plain(v, layer, path + (k,), merged) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, layer, path + (i,), merged) for i, v in enumerate(value)]
    return value


def _merge(merged: Merged, base: dict[str, Any], overlay: dict[str, Any], layer: Layer, path: KeyPath) -> None:
    for key, value in overlay.items():
        p = path + (key,)
        mark = layer.marks.get(p)
        if value is REMOVE:
            if key not in base:
                merged.errors.append(f"{mark}: {dotted(p)}: nothing to remove: no such key in the layers below"
                                     f"{suggest(key, base)} [layer {layer.name}]")
                continue
            gone = base.pop(key)
            _forget(merged, p)
            merged.record(p, Origin(layer.name, mark, "removed", gone))  # what it removed: entries named inside it are gone too
        elif isinstance(value, Replace):
            base[key] = {k: _plain(v, layer, p + (k,), merged) for k, v in value.items()}
            _forget(merged, p)
            merged.where.update(marks_of(value, p, layer.marks))
            merged.record(p, Origin(layer.name, mark, "replaced", base[key]))
        elif isinstance(value, dict):
            action = "added" if key not in base else "set"
            if type(base.get(key)) is not dict:
                if isinstance(base.get(key), list):
                    _forget(merged, p)
                base[key] = {}
                merged.record(p, Origin(layer.name, mark, action, None))
            if mark is not None:
                merged.where[p] = mark
            _merge(merged, base[key], value, layer, p)
        else:
            action = "added" if key not in base else "set"
            if isinstance(base.get(key), dict | list):
                _forget(merged, p)
            base[key] = _plain(value, layer, p, merged)
            merged.where.update(marks_of(value, p, layer.marks))
            merged.record(p, Origin(layer.name, mark, action, base[key]))


def _differs(first: Origin, second: Origin) -> bool:
    if "removed" in (first.action, second.action) or "replaced" in (first.action, second.action):
        return True
    return not (first.value is None and second.value is None) and first.value != second.value


def _what(origin: Origin) -> str:
    if origin.action == "removed":
        return "removes it"
    if origin.action == "replaced":
        return "replaces it whole"
    return "sets it" if origin.value is None else f"sets {_short(origin.value)}"


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "..."


def conflicts(merged: Merged, ancestors: Any) -> list[str]:
    """Warnings for a key that two layers change differently when neither builds on the other (mods side by
    side in an `extends` list), unless a layer built on both sets it again. `ancestors(name)` gives the
    layers a layer builds on."""
    events: dict[KeyPath, list[tuple[int, Origin]]] = {}
    wipes: list[tuple[int, KeyPath, Origin]] = []
    for index, (path, origin) in enumerate(merged.log):
        events.setdefault(path, []).append((index, origin))
        if origin.action in ("removed", "replaced"):
            wipes.append((index, path, origin))
    warnings: dict[tuple[str, str, KeyPath], str] = {}
    for path, own in events.items():
        above = [(i, o) for i, p, o in wipes if len(p) < len(path) and path[: len(p)] == p]
        sequence = sorted(own + above, key=lambda item: item[0])
        for (_, first), (k, second) in zip(sequence, sequence[1:], strict=False):
            if first.layer == second.layer or first.layer in ancestors(second.layer) or not _differs(first, second):
                continue
            later = [o for i, o in sequence if i > k]
            if any({first.layer, second.layer} <= ancestors(o.layer) for o in later):
                continue  # a layer over both decided
            key = (first.layer, second.layer, path if first.action != "removed" and second.action != "removed" else path[:2])
            warnings.setdefault(key, f"{second.mark}: {dotted(path)}: layers {first.layer} and {second.layer} both change this "
                                     f"and neither builds on the other: {first.layer} {_what(first)} (at {first.mark}), "
                                     f"{second.layer} {_what(second)}; {second.layer} wins, being later in `extends` — "
                                     f"set it in a layer over both to decide [layer {second.layer}]")
    return list(warnings.values())
