"""Find and load rulesets from `rulesets/` directories (a first, simple layer merge)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from techrace.errors import TechraceError
from techrace.ruleset.schema import Ruleset

PACKAGE_RULESETS = Path(__file__).resolve().parents[2] / "rulesets"


class RulesetError(TechraceError):
    """A ruleset that cannot be used; `errors` lists every problem, one line each."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def rulesets_dirs() -> list[Path]:
    """Where named rulesets are looked up, in order: $TECHRACE_RULESETS, ./rulesets, the shipped ones."""
    dirs = [Path(p) for p in os.environ.get("TECHRACE_RULESETS", "").split(os.pathsep) if p]
    dirs += [Path.cwd() / "rulesets", PACKAGE_RULESETS]
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d.resolve() not in [s.resolve() for s in seen]:
            seen.append(d)
    return seen


def find_ruleset(name_or_path: str) -> Path:
    """The directory of a ruleset given by name or path."""
    candidate = Path(name_or_path)
    if candidate.is_dir() and (candidate / "ruleset.yaml").is_file():
        return candidate
    if "/" not in name_or_path and "\\" not in name_or_path:
        for base in rulesets_dirs():
            if (base / name_or_path / "ruleset.yaml").is_file():
                return base / name_or_path
    known = ", ".join(name for name, _, _ in list_rulesets()) or "none"
    raise RulesetError([f"unknown ruleset {name_or_path!r} (known: {known})"])


def list_rulesets() -> list[tuple[str, Path, str]]:
    """(name, directory, description) of every ruleset found, sorted by name."""
    found: dict[str, tuple[str, Path, str]] = {}
    for base in rulesets_dirs():
        for meta in sorted(base.glob("*/ruleset.yaml")):
            name = meta.parent.name
            if name in found:
                continue
            try:
                data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
                description = str(data.get("description", "")) if isinstance(data, dict) else ""
            except yaml.YAMLError:
                description = "(unreadable ruleset.yaml)"
            found[name] = (name, meta.parent, description)
    return [found[k] for k in sorted(found)]


def _read_layer(directory: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    files = [directory / "ruleset.yaml"] + sorted(p for p in directory.glob("*.yaml") if p.name != "ruleset.yaml")
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise RulesetError([f"{path}: bad YAML: {exc}"]) from None
        if not isinstance(data, dict):
            raise RulesetError([f"{path}: expected a mapping at the top level"])
        merged = _merge(merged, data)
    return merged


def _merge(base: Any, layer: Any) -> Any:
    if isinstance(base, dict) and isinstance(layer, dict):
        out = dict(base)
        for key, value in layer.items():
            out[key] = _merge(base[key], value) if key in base else value
        return out
    return layer


def load_ruleset(name_or_path: str) -> Ruleset:
    """Load, layer and validate a ruleset by name or directory path."""
    chain: list[Path] = []
    current: str | None = name_or_path
    while current is not None:
        directory = find_ruleset(current)
        if directory.resolve() in [c.resolve() for c in chain]:
            raise RulesetError([f"{directory}: `extends` forms a cycle"])
        chain.append(directory)
        layer = _read_layer(directory)
        current = layer.get("extends")
    data: dict[str, Any] = {}
    for directory in reversed(chain):
        data = _merge(data, _read_layer(directory))
    data["name"] = _read_layer(chain[0]).get("name", chain[0].name)
    try:
        return Ruleset.model_validate(data)
    except ValidationError as exc:
        raise RulesetError(
            [f"{chain[0]}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        ) from None


def ruleset_hash(ruleset: Ruleset) -> str:
    """A content hash of the merged ruleset (sha256 of its canonical JSON)."""
    canonical = json.dumps(ruleset.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
