"""Follow `extends` from a ruleset to every layer it builds on, and put the layers in the order applied.

`extends` names one ruleset or a list (`extends: [baseline, chip-war, more-fabs]`). Layers are applied
dependencies first, then in the order listed, each once (a diamond of mods over one base reads the
base once), like a load order in Factorio or Paradox games: `[a, b]` applies `a`'s chain, then what
`b` adds, then this layer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from techrace.ruleset.layers import MAX_CHAIN, Layer, meta_mark, read_layer
from techrace.ruleset.migrations import Migration, MigrationRefused, migrate_layer
from techrace.ruleset.schema import FORMAT_VERSION


@dataclass
class Chain:
    """The layers of a ruleset in the order applied (its base first, itself last) and how they relate."""

    layers: list[Layer] = field(default_factory=list)
    parents: dict[str, list[str]] = field(default_factory=dict)  # layer name -> the layers it names in `extends`
    broken: list[str] = field(default_factory=list)  # the chain itself is wrong: nothing else is worth checking
    notices: list[str] = field(default_factory=list)

    def ancestors(self, name: str) -> set[str]:
        """Every layer `name` builds on, directly or not."""
        seen: set[str] = set()
        todo = list(self.parents.get(name, []))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo += self.parents.get(parent, [])
        return seen

    @property
    def linear(self) -> bool:
        """True when each layer builds on all those before it (no two mods side by side)."""
        return all(set(n.name for n in self.layers[:i]) <= self.ancestors(layer.name) for i, layer in enumerate(self.layers))


def _targets(layer: Layer) -> tuple[list[str], str | None]:
    target = layer.meta.get("extends")
    mark = meta_mark(layer, "extends")
    if target is None:
        return [], None
    targets = target if isinstance(target, list) else [target]
    if not targets or not all(isinstance(t, str) and t for t in targets):
        return [], (f"{mark}: extends: must be the name or path of another ruleset, or a list of them "
                    f"[layer {layer.name}]")
    return targets, None


def _resolve(layer: Layer, target: str, find: object) -> tuple[Path | None, str | None]:
    from techrace.ruleset.loader import RulesetError, is_path  # the loader owns the search path

    mark = meta_mark(layer, "extends")
    if is_path(target):
        directory = (layer.directory / target) if not Path(target).is_absolute() else Path(target)
        if os.path.lexists(directory / "ruleset.yaml"):
            return directory, None
        return None, f"{mark}: extends: no ruleset at {target!r} (relative to {layer.directory}) [layer {layer.name}]"
    try:
        return find(target), None  # type: ignore[operator]
    except RulesetError as exc:
        return None, f"{mark}: extends: {exc.errors[0]} [layer {layer.name}]"


def _migrate(layer: Layer, chain: Chain, migrations: tuple[Migration, ...]) -> None:
    version = layer.meta.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        chain.broken.append(f"{meta_mark(layer, 'format_version')}: format_version: must be a whole number [layer {layer.name}]")
        return
    try:
        chain.notices += migrate_layer(layer.data, layer.marks, version, layer.name, migrations)
    except MigrationRefused as exc:
        chain.broken.append(f"{meta_mark(layer, 'format_version')}: format_version: {exc} [layer {layer.name}]")


def read_chain(directory: Path, migrations: tuple[Migration, ...], find: object) -> Chain:
    """Read `directory` and everything it extends, migrated, in the order the layers are applied."""
    chain = Chain()
    done: dict[Path, Layer] = {}
    stack: list[tuple[Path, Layer]] = []

    def visit(path: Path) -> Layer | None:
        key = path.resolve()
        if key in done:
            return done[key]
        if len(done) + len(stack) >= MAX_CHAIN:
            chain.broken.append(f"{meta_mark(stack[-1][1], 'extends')}: extends: more than {MAX_CHAIN} layers "
                                f"[layer {stack[-1][1].name}]")
            return None
        layer = read_layer(path)
        twin = next((other for other in [*done.values(), *(lay for _, lay in stack)] if other.name == layer.name), None)
        if twin is not None:  # layers are told apart by name (in messages, provenance, conflicts)
            chain.broken.append(f"{meta_mark(layer, 'name')}: (layer): two rulesets in one chain are both named "
                                f"{layer.name!r} ({twin.directory} and {layer.directory}): rename one directory [layer {layer.name}]")
            return None
        _migrate(layer, chain, migrations)
        stack.append((key, layer))
        targets, problem = _targets(layer)
        if problem:
            chain.broken.append(problem)
        chain.parents[layer.name] = []
        for target in targets:
            found, problem = _resolve(layer, target, find)
            if problem or found is None:
                chain.broken.append(problem or "")
                continue
            if found.resolve() in [k for k, _ in stack]:
                names = [lay.name for _, lay in stack]
                chain.broken.append(f"{meta_mark(layer, 'extends')}: extends: forms a cycle "
                                    f"({' -> '.join(names)} -> {found.name}) [layer {layer.name}]")
                continue
            parent = visit(found)
            if parent is not None:
                chain.parents[layer.name].append(parent.name)
        stack.pop()
        done[key] = layer
        chain.layers.append(layer)
        return layer

    visit(directory)
    return chain
