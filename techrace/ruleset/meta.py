"""Mod metadata: `version`, `authors`, `requires`, `description` of every layer, checked and summarised.

The top layer's metadata is validated with the rest of the ruleset; the layers below are validated
here with the same field definitions (taken from `Ruleset`, so there is one schema). `requires` is
checked against the running techrace and the `version` of the rulesets a layer builds on.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import create_model

from techrace.ruleset.chain import Chain
from techrace.ruleset.layers import META_KEYS, Layer, meta_mark
from techrace.ruleset.locate import render, schema_findings
from techrace.ruleset.schema import Ruleset, Strict

TECHRACE = "techrace"


@lru_cache(maxsize=1)
def _layer_meta_model() -> type[Strict]:
    fields: dict[str, Any] = {key: (Ruleset.model_fields[key].annotation, Ruleset.model_fields[key])
                              for key in META_KEYS if key != "name"}
    return create_model("LayerMeta", __base__=Strict, **fields)


def meta_marks(layer: Layer) -> dict[tuple[str | int, ...], Any]:
    """The marks of a layer's metadata, keyed as in the ruleset (`requires.0`), not with the `@` prefix."""
    return {(path[0][1:],) + path[1:]: mark for path, mark in layer.marks.items()
            if path and isinstance(path[0], str) and path[0].startswith("@")}


def meta_errors(layer: Layer) -> list[str]:
    """Type and form errors of a lower layer's metadata (the top layer's are checked with the ruleset)."""
    data = {k: v for k, v in layer.meta.items() if k not in ("name", "extends", "format_version")}
    _, findings = schema_findings(_layer_meta_model(), data)
    return render(findings, meta_marks(layer), meta_mark(layer, "name"))


def installed_version() -> str:
    """The running techrace's version, from package metadata (importing `techrace` would pull in its lazy
    attributes, which the import contract of this package forbids)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(TECHRACE)
    except PackageNotFoundError:
        return "0"


def requirement_errors(chain: Chain) -> list[str]:
    """`requires` entries no layer of the chain satisfies, located at the requirement."""
    by_name = {layer.name: layer for layer in chain.layers}
    errors = []
    for layer in chain.layers:
        wanted = layer.meta.get("requires")
        items = [wanted] if isinstance(wanted, str) else wanted if isinstance(wanted, list) else []
        for index, text in enumerate(items):
            if not isinstance(text, str):
                continue
            marks = meta_marks(layer)
            mark = marks.get(("requires", index), marks.get(("requires",), meta_mark(layer, "name")))
            problem = _unmet(text, layer, chain, by_name)
            if problem:
                errors.append(f"{mark}: requires: {problem} [layer {layer.name}]")
    return errors


def _unmet(text: str, layer: Layer, chain: Chain, by_name: dict[str, Layer]) -> str | None:
    from packaging.requirements import (  # only paid when a layer has `requires`
        InvalidRequirement,
        Requirement,
    )
    from packaging.version import InvalidVersion, Version

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None  # the schema already says the form is wrong
    if requirement.name == TECHRACE:
        have = installed_version()
        if requirement.specifier and not requirement.specifier.contains(have, prereleases=True):
            return f"needs {text.strip()}, but this is techrace {have}: upgrade techrace"
        return None
    if requirement.name not in chain.ancestors(layer.name) or requirement.name not in by_name:
        return f"needs ruleset {requirement.name!r}, which this layer does not extend: add it to `extends`"
    version = by_name[requirement.name].meta.get("version")
    if not requirement.specifier:
        return None
    if version is None:
        return f"needs {text.strip()}, but {requirement.name} declares no `version`"
    try:
        ok = requirement.specifier.contains(Version(str(version)), prereleases=True)
    except InvalidVersion:
        return None  # its own `version` is refused where it is written
    return None if ok else f"needs {text.strip()}, but {requirement.name} is version {version}"


def summary(layer_meta: dict[str, Any], name: str) -> str:
    """`name 1.2.0 by A, B` for listings."""
    text = name
    if layer_meta.get("version") is not None:
        text += f" {layer_meta['version']}"
    authors = layer_meta.get("authors")
    authors = [authors] if isinstance(authors, str) else authors if isinstance(authors, list) else []
    if authors:
        text += " by " + ", ".join(str(a) for a in authors)
    return text
