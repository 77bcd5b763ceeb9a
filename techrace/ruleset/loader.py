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

import yaml

from techrace.errors import TechraceError
from techrace.ruleset.crossref import check_references
from techrace.ruleset.layers import (
    MAX_CHAIN,
    Layer,
    Merged,
    Origin,
    merge_layers,
    meta_mark,
    read_layer,
    suggest,
)
from techrace.ruleset.locate import validate_located
from techrace.ruleset.migrations import MIGRATIONS, Migration, MigrationRefused, migrate_layer
from techrace.ruleset.schema import FORMAT_VERSION, Ruleset
from techrace.ruleset.source import KeyPath, Mark

PACKAGE_RULESETS = Path(__file__).resolve().parents[2] / "rulesets"  # a source checkout / editable install
WHEEL_RULESETS = Path(__file__).resolve().parents[1] / "shipped_rulesets"  # copied into an installed wheel


class RulesetError(TechraceError):
    """A ruleset that cannot be used; `errors` lists every problem, one located line each."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


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


def _is_path(name_or_path: str) -> bool:
    return "/" in name_or_path or "\\" in name_or_path or name_or_path.startswith(".")


def find_ruleset(name_or_path: str) -> Path:
    """The directory of a ruleset given by name (looked up in `rulesets_dirs()`) or by path."""
    candidate = Path(name_or_path)
    if candidate.name == "ruleset.yaml" and candidate.is_file():
        candidate = candidate.parent  # `check mods/x/ruleset.yaml` means the directory
    if candidate.is_dir() and (candidate / "ruleset.yaml").is_file():
        return candidate
    if not _is_path(name_or_path):
        for base in rulesets_dirs():
            if (base / name_or_path / "ruleset.yaml").is_file():
                return base / name_or_path
    known = [name for name, _, _ in list_rulesets()]
    if candidate.is_dir():
        raise RulesetError([f"{name_or_path}: not a ruleset: it has no ruleset.yaml"])
    hint = suggest(name_or_path, known) if not _is_path(name_or_path) else ""
    raise RulesetError([f"unknown ruleset {name_or_path!r}{hint} (known: {', '.join(known) or 'none'})"])


def list_rulesets() -> list[tuple[str, Path, str]]:
    """(name, directory, description) of every ruleset found, sorted by name; the first found wins."""
    found: dict[str, tuple[str, Path, str]] = {}
    for base in rulesets_dirs():
        for meta in sorted(base.glob("*/ruleset.yaml")):
            name = meta.parent.name
            if name in found:
                continue
            try:
                data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
                description = " ".join(str(data.get("description", "")).split()) if isinstance(data, dict) else ""
            except (yaml.YAMLError, OSError, UnicodeDecodeError):
                description = "(unreadable ruleset.yaml)"
            found[name] = (name, meta.parent, description)
    return [found[k] for k in sorted(found)]


@dataclass
class InspectedRuleset:
    """Everything the tooling knows about a ruleset: layers (top first), merged data, provenance, problems."""

    chain: list[Layer]
    merged: Merged
    ruleset: Ruleset | None
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.chain[0].meta.get("name") or self.chain[0].name if self.chain else "?"

    def origins(self, path: KeyPath) -> list[Origin]:
        """Writes that decided the value at `path`, base layer first: its own, and removals or
        wholesale replacements of an enclosing entry."""
        n = len(path)
        return [o for p, o in self.merged.log
                if p == path or (len(p) < n and path[: len(p)] == p and o.action in ("removed", "replaced"))]


def _resolve_extends(layer: Layer) -> tuple[Path | None, str | None]:
    target = layer.meta.get("extends")
    if target is None:
        return None, None
    mark = meta_mark(layer, "extends")
    if not isinstance(target, str) or not target:
        return None, f"{mark}: extends: must be the name or path of another ruleset [layer {layer.name}]"
    if _is_path(target):
        directory = (layer.directory / target) if not Path(target).is_absolute() else Path(target)
        if (directory / "ruleset.yaml").is_file():
            return directory, None
        return None, f"{mark}: extends: no ruleset at {target!r} (relative to {layer.directory}) [layer {layer.name}]"
    try:
        return find_ruleset(target), None
    except RulesetError as exc:
        return None, f"{mark}: extends: {exc.errors[0]} [layer {layer.name}]"


def _read_chain(name_or_path: str, migrations: tuple[Migration, ...]) -> tuple[list[Layer], list[str], list[str], list[str]]:
    """(layers top first, file errors, chain errors, notices); chain errors make validation meaningless."""
    chain: list[Layer] = []
    errors: list[str] = []
    broken: list[str] = []
    notices: list[str] = []
    directory: Path | None = find_ruleset(name_or_path)
    while directory is not None:
        if directory.resolve() in [c.directory.resolve() for c in chain]:
            broken.append(f"{meta_mark(chain[-1], 'extends')}: extends: forms a cycle "
                          f"({' -> '.join(c.name for c in chain)} -> {directory.name}) [layer {chain[-1].name}]")
            break
        if len(chain) >= MAX_CHAIN:
            broken.append(f"{meta_mark(chain[-1], 'extends')}: extends: chain longer than {MAX_CHAIN} layers [layer {chain[-1].name}]")
            break
        layer = read_layer(directory)
        chain.append(layer)
        errors += layer.errors
        version = layer.meta.get("format_version", FORMAT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool):
            broken.append(f"{meta_mark(layer, 'format_version')}: format_version: must be a whole number [layer {layer.name}]")
        else:
            try:
                notices += migrate_layer(layer.data, layer.marks, version, layer.name, migrations)
            except MigrationRefused as exc:
                broken.append(f"{meta_mark(layer, 'format_version')}: format_version: {exc} [layer {layer.name}]")
        directory, problem = _resolve_extends(layer)
        if problem:
            broken.append(problem)
    return chain, errors, broken, notices


def inspect_ruleset(name_or_path: str, migrations: tuple[Migration, ...] | None = None) -> InspectedRuleset:
    """Read, merge, migrate and validate a ruleset, collecting every problem instead of stopping at the first."""
    chain, errors, broken, notices = _read_chain(name_or_path, MIGRATIONS if migrations is None else migrations)
    merged = merge_layers(list(reversed(chain)))
    errors += merged.errors
    if broken:  # the chain itself is wrong: checking a partial merge would only add noise
        return InspectedRuleset(chain, merged, None, _in_file_order(errors + broken), notices)
    top = chain[0]
    data: dict[str, Any] = dict(merged.data)
    for key in ("name", "description", "extends"):
        data.pop(key, None)
        if key in top.meta:
            data[key] = top.meta[key]
    data.setdefault("name", top.name)
    data["format_version"] = FORMAT_VERSION
    fallback = meta_mark(top, "name")
    for key in ("name", "description", "extends"):
        merged.where[(key,)] = meta_mark(top, key)
    model, schema_errors = validate_located(Ruleset, data, merged.where, fallback)
    errors += schema_errors + check_references(data, merged.where, fallback)
    ruleset = model if isinstance(model, Ruleset) and not errors else None
    return InspectedRuleset(chain, merged, ruleset, _in_file_order(errors), notices)


_LOCATION = re.compile(r"^(.*?):(\d+):(\d+): ")


def _in_file_order(lines: list[str]) -> list[str]:
    """Distinct messages sorted by file, line and column (the order a modder fixes them in)."""
    def key(line: str) -> tuple[str, int, int]:
        match = _LOCATION.match(line)
        return (match.group(1), int(match.group(2)), int(match.group(3))) if match else ("", 0, 0)
    return sorted(dict.fromkeys(" ".join(line.split()) for line in lines), key=key)  # one line each, always


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
    nowhere = Mark("", 0, 0, ruleset.name)
    lines = check_references(ruleset.model_dump(mode="json", by_alias=True), {}, nowhere)
    return [line.split(": ", 1)[1].rsplit(" [layer ", 1)[0] for line in lines]


def ruleset_hash(ruleset: Ruleset) -> str:
    """A content hash of the merged ruleset (sha256 of its canonical JSON)."""
    canonical = json.dumps(ruleset.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


__all__ = [
    "InspectedRuleset", "Mark", "RulesetError", "RulesetNotice", "find_ruleset", "inspect_ruleset", "list_rulesets",
    "load_ruleset", "reference_errors", "ruleset_hash", "rulesets_dirs",
]
