"""The machinery of the cross-reference checks: a checker that collects findings, resolves names against
the sections that define them (saying so when a layer removed the entry), and suggests the nearest names.

Every access is defensive: the checks run on merged raw data that may also be malformed.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Any

from techrace.ruleset.layers import suggest
from techrace.ruleset.locate import Finding
from techrace.ruleset.schema import QUARTER_RE
from techrace.ruleset.source import KeyPath

# Where the entries a reference names live, by what the message calls them.
SECTIONS: dict[str, tuple[KeyPath, ...]] = {
    "nation": (("nations",),), "foundry": (("foundries",),), "toolmaker": (("toolmakers",),), "lab": (("labs",),),
    "regulator": (("regulators",),), "control": (("controls",),), "node": (("technology", "nodes"),),
    "HBM generation": (("technology", "hbm_generations"),), "chip firm": (("chip_firms",),),
    "firm or site": (("foundries",), ("toolmakers",), ("chip_firms",), ("labs",)),
}
Removed = Callable[[KeyPath], str | None]  # "removed by layer L at file:line:col" for a removed entry, or None


def nearest(name: object, known: Any, count: int = 8) -> str:
    """' — did you mean X?' for a close name, else ' (known: a, b, ...)' listing the nearest ids."""
    names = sorted(str(k) for k in known)
    hint = suggest(name, names)
    if hint or not names:
        return hint
    text = str(name).lower()
    ranked = sorted(names, key=lambda n: -difflib.SequenceMatcher(None, text, n.lower()).ratio())
    shown = ranked[:count] if len(names) > count else names
    return f" (known: {', '.join(shown)}{', ...' if len(names) > count else ''})"


def entries(data: dict[str, Any], *path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (id, mapping) entries of the section at `path`, skipping anything malformed."""
    node: Any = data
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict):
                yield key, value


def names(data: dict[str, Any], section: str) -> set[str]:
    """The ids a section defines (none if it is not a mapping)."""
    value = data.get(section)
    return set(value) if isinstance(value, dict) else set()


class Checker:
    """The merged data, the names each section defines, and the findings collected so far."""

    def __init__(self, data: dict[str, Any], removed: Removed):
        self.data, self.removed = data, removed
        self.findings: list[Finding] = []
        self.dangling: dict[KeyPath, list[KeyPath]] = {}  # removed entry -> references still naming it
        self.nations = names(data, "nations")
        self.nodes = names(data.get("technology") or {}, "nodes") if isinstance(data.get("technology"), dict) else set()
        tech = data.get("technology") if isinstance(data.get("technology"), dict) else {}
        self.hbm = names(tech, "hbm_generations")
        self.foundries = names(data, "foundries")
        self.toolmakers = names(data, "toolmakers")
        self.chip_firms = names(data, "chip_firms")
        self.labs = names(data, "labs")
        self.sites = {site for _, f in entries(data, "foundries") if isinstance(f.get("sites"), dict) for site in f["sites"]}

    def error(self, path: KeyPath, message: str, knock_on: bool = False) -> None:
        self.findings.append(Finding(path, message, knock_on))

    def ref(self, path: KeyPath, value: Any, known: set[str], what: str) -> None:
        """A name that must name an entry: unknown names are knock-on findings (the entry may be in a file
        that could not be read, or removed by a layer, which is then said)."""
        if not isinstance(value, str) or value in known:
            return
        entry = next((section + (value,) for section in SECTIONS.get(what, ()) if self.removed(section + (value,))), None)
        removal = self.removed(entry) if entry else None
        if entry and removal:
            self.dangling.setdefault(entry, []).append(path)
            self.error(path, f"unknown {what} {value!r}: {removal}", knock_on=True)
        else:
            self.error(path, f"unknown {what} {value!r}{nearest(value, known)}", knock_on=True)

    def refs(self, path: KeyPath, values: Any, known: set[str], what: str) -> None:
        if isinstance(values, list):
            for i, value in enumerate(values):
                self.ref(path + (i,), value, known, what)

    def keys(self, path: KeyPath, mapping: Any, known: set[str], what: str) -> None:
        if isinstance(mapping, dict):
            for key in mapping:
                self.ref(path + (key,), key, known, what)


def text_of(value: Any) -> str:
    """A kind as text ('' for anything else), so malformed data never reaches a dict lookup."""
    return value if isinstance(value, str) else ""


def is_quarter(value: Any) -> bool:
    return isinstance(value, str) and QUARTER_RE.match(value) is not None
