"""Find rulesets, resolve their `extends` chains, merge, migrate and validate them.

`inspect_ruleset` never raises for a bad ruleset: it returns every located error at once, which
`techrace ruleset check` prints. `load_ruleset` is what the engine calls: the validated, immutable
`Ruleset`, or a `RulesetError` listing all the problems.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from techrace.errors import TechraceError
from techrace.ruleset.chain import read_chain
from techrace.ruleset.crossref import reference_findings
from techrace.ruleset.crossref_model import CHECKED_BY_CALLER
from techrace.ruleset.layers import (
    ABSENT,
    META_KEYS,
    Layer,
    Merged,
    Origin,
    conflicts,
    dotted,
    merge_layers,
    meta_mark,
    suggest,
    within,
)
from techrace.ruleset.locate import near_miss_findings, render, schema_findings
from techrace.ruleset.meta import meta_errors, meta_marks, requirement_errors
from techrace.ruleset.migrations import MIGRATIONS, Migration
from techrace.ruleset.schema import FORMAT_VERSION, Ruleset
from techrace.ruleset.source import KeyPath, Mark, UnreadableFile, read_text_safely
from techrace.safe_text import printable

PACKAGE_RULESETS = Path(__file__).resolve().parents[2] / "rulesets"  # a source checkout / editable install
WHEEL_RULESETS = Path(__file__).resolve().parents[1] / "shipped_rulesets"  # copied into an installed wheel


class RulesetError(TechraceError):
    """A ruleset that cannot be used; `errors` lists every problem, one located line each."""

    def __init__(self, errors: list[str]):
        self.errors = [printable(line) for line in errors]
        super().__init__("\n".join(self.errors))

    def __reduce__(self) -> tuple:
        return (type(self), (self.errors,))  # a worker process's error arrives whole, not split into characters


class RulesetNotice(UserWarning):
    """A ruleset loaded with something the modder should know (e.g. it was upgraded from an older format)."""


def rulesets_dirs() -> list[Path]:
    """Where named rulesets are looked up, in order: $TECHRACE_RULESETS, ./rulesets, the shipped ones."""
    dirs = [Path(p) for p in os.environ.get("TECHRACE_RULESETS", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "rulesets", PACKAGE_RULESETS, WHEEL_RULESETS]
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def is_path(name_or_path: str) -> bool:
    return "/" in name_or_path or "\\" in name_or_path or name_or_path.startswith(".")


def _has_meta(directory: Path) -> bool:
    """A directory with a `ruleset.yaml` of any kind (a FIFO or device is then refused, located, on reading)."""
    return directory.is_dir() and os.path.lexists(directory / "ruleset.yaml")


def find_ruleset(name_or_path: str) -> Path:
    """The directory of a ruleset given by name (looked up in `rulesets_dirs()`) or by path."""
    candidate = Path(name_or_path)
    if candidate.name == "ruleset.yaml" and os.path.lexists(candidate):
        candidate = candidate.parent  # `check mods/x/ruleset.yaml` means the directory
    if _has_meta(candidate):
        return candidate
    if not is_path(name_or_path):
        for base in rulesets_dirs():
            if _has_meta(base / name_or_path):
                return base / name_or_path
    known = [info.name for info in ruleset_infos()]
    if candidate.is_dir():
        found = sorted(p.name for p in candidate.glob("ruleset.*"))
        hint = f" (found {', '.join(found)}: rename it to ruleset.yaml)" if found else ""
        raise RulesetError([f"{name_or_path}: not a ruleset: it has no ruleset.yaml{hint}"])
    hint = suggest(name_or_path, known) if not is_path(name_or_path) else ""
    raise RulesetError([f"unknown ruleset {name_or_path!r}{hint} (known: {', '.join(known) or 'none'})"])


@dataclass(frozen=True)
class RulesetInfo:
    """What a listing shows of a ruleset, read from its ruleset.yaml alone."""

    name: str
    directory: Path
    description: str
    version: str | None = None
    authors: tuple[str, ...] = ()
    extends: tuple[str, ...] = ()


def read_info(directory: Path) -> RulesetInfo:
    """The metadata of one ruleset directory (never raises: an unreadable file says so in `description`)."""
    from techrace.ruleset.source import parse_yaml_text

    try:
        text = read_text_safely(directory / "ruleset.yaml")
    except UnreadableFile as exc:
        return RulesetInfo(directory.name, directory, f"(unreadable ruleset.yaml: {exc})")
    source = parse_yaml_text(text, "ruleset.yaml", directory.name)
    if source.unreadable:
        return RulesetInfo(directory.name, directory, "(unreadable ruleset.yaml)")
    data = source.data

    def texts(value: Any) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return tuple(" ".join(str(v).split()) for v in items if isinstance(v, str | int | float))

    version = data.get("version")
    return RulesetInfo(directory.name, directory, " ".join(str(data.get("description") or "").split()),
                       None if version is None or isinstance(version, dict | list) else str(version),
                       texts(data.get("authors")), texts(data.get("extends")))


def ruleset_infos() -> list[RulesetInfo]:
    """Every ruleset found, sorted by name; the first found of a name wins."""
    found: dict[str, RulesetInfo] = {}
    for base in rulesets_dirs():
        for meta in sorted(base.glob("*/ruleset.yaml")):
            if meta.parent.name not in found:
                found[meta.parent.name] = read_info(meta.parent)
    return [found[k] for k in sorted(found)]


def list_rulesets() -> list[tuple[str, Path, str]]:
    """(name, directory, description) of every ruleset found, sorted by name; the first found wins."""
    return [(info.name, info.directory, info.description) for info in ruleset_infos()]


@dataclass
class InspectedRuleset:
    """Everything the tooling knows about a ruleset: layers (top first), merged data, provenance, problems.

    `errors` come causes first: files that could not be read and a broken `extends`, then values wrong
    where they are written, then what may only follow from those (missing keys, names of removed or
    unknown entries). While a file could not be read its knock-on errors are held back (`held_back`
    counts them). `warnings` (e.g. two mods side by side setting one key) do not stop a load."""

    chain: list[Layer]
    merged: Merged
    ruleset: Ruleset | None
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    held_back: int = 0
    parents: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.chain[0].meta.get("name") or self.chain[0].name if self.chain else "?"

    def writes(self, path: KeyPath) -> list[tuple[KeyPath, Origin]]:
        """Writes that decided the value at `path`, base layer first, with the path each was made at: its
        own, removals or wholesale replacements of an enclosing entry, and whole values (lists) holding it."""
        n = len(path)
        return [(p, o) for p, o in self.merged.log
                if p == path or (len(p) < n and path[: len(p)] == p and (o.action in ("removed", "replaced") or o.value is not None))]

    def origins(self, path: KeyPath) -> list[Origin]:
        return [origin for _, origin in self.writes(path)]

    def layer(self, name: str) -> Layer | None:
        return next((layer for layer in self.chain if layer.name == name), None)


def _removals(merged: Merged) -> dict[KeyPath, Origin]:
    """Entries a layer removed that no later layer put back."""
    removed: dict[KeyPath, Origin] = {}
    for path, origin in merged.log:
        if origin.action == "removed":
            removed[path] = origin
        else:
            removed.pop(path, None)
    return removed


def _top_meta(top: Layer, merged: Merged) -> dict[str, Any]:
    data: dict[str, Any] = dict(merged.data)
    for key in META_KEYS:
        data.pop(key, None)
        if key in top.meta and key != "format_version":
            data[key] = top.meta[key]
    merged.where.update(meta_marks(top))
    data.setdefault("name", top.name)
    data["format_version"] = FORMAT_VERSION
    return data


def inspect_ruleset(name_or_path: str, migrations: tuple[Migration, ...] | None = None) -> InspectedRuleset:
    """Read, merge, migrate and validate a ruleset, collecting every problem instead of stopping at the first."""
    chain = read_chain(find_ruleset(name_or_path), MIGRATIONS if migrations is None else migrations, find_ruleset)
    layers, top = chain.layers, chain.layers[-1]
    merged = merge_layers(layers)
    fatal = chain.broken + [line for layer in layers for line in layer.unreadable]
    direct = [line for layer in layers for line in layer.errors] + merged.errors
    direct += [line for layer in layers[:-1] for line in meta_errors(layer)] + requirement_errors(chain)
    result = InspectedRuleset(list(reversed(layers)), merged, None, notices=chain.notices, parents=chain.parents)
    if chain.broken:  # the chain itself is wrong: checking a partial merge would only add noise
        result.errors = _in_file_order(fatal) + _in_file_order(direct)
        return result
    data = _top_meta(top, merged)
    fallback = meta_mark(top, "name")
    removed = _removals(merged)
    for path, origin in removed.items():  # a removed entry is located at its `!remove`
        if origin.mark is not None:
            merged.where.setdefault(path, origin.mark)
    base = layers[0].name
    added = {path for path, origin in merged.log if origin.action == "added" and origin.layer != base}
    removed_by = lambda path: _removal_text(removed.get(path) or _enclosing_removal(merged, path))  # noqa: E731
    model, findings = schema_findings(Ruleset, data, lambda path: path in added, removed_by, {CHECKED_BY_CALLER: True})
    findings += reference_findings(data, removed_by)
    direct += render([f for f in findings if not f.knock_on], merged.where, fallback)
    knock_on = render([f for f in findings if f.knock_on], merged.where, fallback)
    if fatal:  # what an unreadable file would have defined is missing: its knock-on errors would mislead
        result.held_back, knock_on = len(set(knock_on)), []
    result.errors = _in_file_order(fatal) + _in_file_order(direct) + _in_file_order(knock_on)
    flagged = {f.path for f in findings}
    result.warnings = render(near_miss_findings(data, added, flagged), merged.where, fallback)
    result.warnings = _in_file_order(result.warnings + ([] if chain.linear else conflicts(merged, chain.ancestors)))
    result.ruleset = model if isinstance(model, Ruleset) and not result.errors else None
    return result


def _enclosing_removal(merged: Merged, path: KeyPath) -> Origin | None:
    """The `!remove` of an entry that held `path` (`controls: !remove` took every control with it), if
    nothing wrote `path` or an entry holding it again since."""
    found = None
    for p, origin in merged.log:
        if len(p) > len(path) or path[: len(p)] != p:
            continue
        if origin.action == "removed" and p != path and within(origin.value, path[len(p):]) is not ABSENT:
            found = origin
        elif found is not None and origin.action != "removed":
            found = None  # written again after the removal
    return found


def _removal_text(origin: Origin | None) -> str | None:
    if origin is None:
        return None
    return f"removed by layer {origin.layer}" + (f" at {origin.mark}" if origin.mark else "")


_LOCATION = re.compile(r"^(.*?):(\d+):(\d+): ")


def _in_file_order(lines: list[str]) -> list[str]:
    """Distinct messages sorted by file, line and column (the order a modder fixes them in)."""
    def key(line: str) -> tuple[str, int, int]:
        match = _LOCATION.match(line)
        return (match.group(1), int(match.group(2)), int(match.group(3))) if match else ("", 0, 0)
    return sorted(dict.fromkeys(printable(" ".join(line.split())) for line in lines), key=key)  # one line each, always


def load_ruleset(name_or_path: str) -> Ruleset:
    """Load, layer, migrate and validate a ruleset by name or directory path; notices go to `warnings`."""
    inspected = inspect_ruleset(name_or_path)
    if inspected.errors or inspected.ruleset is None:
        raise RulesetError(inspected.errors or ["ruleset could not be loaded"])
    for notice in inspected.notices:
        warnings.warn(notice, RulesetNotice, stacklevel=2)
    return inspected.ruleset


def reference_errors(ruleset: Ruleset) -> list[str]:
    """Cross-reference problems of an already built Ruleset (e.g. after overrides), as `key.path: message`."""
    findings = reference_findings(ruleset.model_dump(mode="json", by_alias=True))
    return [printable(f"{dotted(f.path)}: {f.message}") for f in findings]


def ruleset_hash(ruleset: Ruleset) -> str:
    """A content hash of the merged ruleset (sha256 of its canonical JSON)."""
    canonical = json.dumps(ruleset.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


__all__ = [
    "InspectedRuleset", "Mark", "RulesetError", "RulesetInfo", "RulesetNotice", "find_ruleset", "inspect_ruleset",
    "list_rulesets", "read_info", "ruleset_infos",
    "load_ruleset", "reference_errors", "ruleset_hash", "rulesets_dirs",
]
