"""Generate the modder's reference (Markdown) and the editor JSON Schema from the one schema.

Both come from the pydantic models in `schema.py`, so they cannot drift from what the loader accepts.
`python -m techrace.ruleset.reference docs/modding.md` rewrites the generated part of the guide.
"""

from __future__ import annotations

import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

import annotated_types as at
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from techrace.ruleset.schema import FORMAT_VERSION, NationPolicyParams, RegulatorPolicyParams, Ruleset

BEGIN = "<!-- BEGIN GENERATED REFERENCE (python -m techrace.ruleset.reference docs/modding.md) -->"
END = "<!-- END GENERATED REFERENCE -->"


def json_schema(layer: bool = True) -> dict[str, Any]:
    """The JSON Schema of ruleset files; `layer=True` drops `required` since a layer may set any part."""
    schema = Ruleset.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"techrace ruleset (format {FORMAT_VERSION}){' layer file' if layer else ''}"
    if layer:
        _drop_required(schema)
        _allow_remove(schema)
        schema.setdefault("$defs", {})["Remove"] = REMOVE_SCHEMA
    return schema


# `key: !remove` reaches an editor (the YAML language server, with `!remove scalar` as a custom tag) as an
# empty scalar: null, or "" in some editors.
REMOVE_SCHEMA = {"description": "`!remove`: delete this entry or field of the layers below", "enum": [None, ""]}


def _allow_remove(node: Any) -> None:
    """Every field of an object and every entry of a mapping may be `!remove`d by a layer."""
    if isinstance(node, dict):
        for value in node.values():
            _allow_remove(value)
        for name, sub in list(node.get("properties", {}).items()) if isinstance(node.get("properties"), dict) else []:
            node["properties"][name] = _or_remove(sub)
        if isinstance(node.get("additionalProperties"), dict):
            node["additionalProperties"] = _or_remove(node["additionalProperties"])
    elif isinstance(node, list):
        for value in node:
            _allow_remove(value)


def _or_remove(sub: dict[str, Any]) -> dict[str, Any]:
    outer = {k: sub[k] for k in ("title", "description") if k in sub}
    return {**outer, "anyOf": [sub, {"$ref": "#/$defs/Remove"}]}


def _drop_required(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _drop_required(value)
    elif isinstance(node, list):
        for value in node:
            _drop_required(value)


def _constraints(metadata: list[Any]) -> list[str]:
    out = []
    for item in metadata:
        for cls, symbol, attr in ((at.Ge, "≥", "ge"), (at.Gt, ">", "gt"), (at.Le, "≤", "le"), (at.Lt, "<", "lt")):
            if isinstance(item, cls):
                out.append(f"{symbol} {getattr(item, attr):g}")
        if isinstance(item, at.MinLen) and item.min_length:
            out.append(f"at least {item.min_length}")
        if isinstance(item, at.MaxLen):
            out.append(f"at most {item.max_length} long")
    return out


def type_name(tp: Any) -> str:
    """A modder-readable name of a field type, constraints included."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(tp)
        infos = [m for m in meta if hasattr(m, "metadata")]
        flat = [c for info in infos for c in info.metadata] + [m for m in meta if not hasattr(m, "metadata")]
        pattern = next((getattr(c, "pattern", None) for c in flat if getattr(c, "pattern", None)), None)
        if pattern and "Q[1-4]" in pattern:
            return "quarter (e.g. 2027Q3)"
        if pattern and "==|!=" in pattern:
            return "requirement (e.g. `techrace >= 0.2`)"
        if pattern and pattern.startswith("^[0-9]"):
            return "version (e.g. 1.2.0)"
        if pattern:
            return "id"
        limits = _constraints(flat)
        return type_name(base) + (f" ({', '.join(limits)})" if limits else "")
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        names = " or ".join(type_name(a) for a in args)
        return names + (" or null" if len(args) < len(typing.get_args(tp)) else "")
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(tp))
    if origin is list:
        return f"list of {type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        key, value = typing.get_args(tp)
        return f"mapping {type_name(key)} → {type_name(value)}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return f"[{tp.__name__}](#{tp.__name__.lower()})"
    return {str: "text", float: "number", int: "whole number", bool: "true/false"}.get(tp, getattr(tp, "__name__", str(tp)))


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model reachable from `root`, in first-reached order."""
    order: list[type[BaseModel]] = []
    todo: list[Any] = [root]
    while todo:
        tp = todo.pop(0)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in order:
                continue
            order.append(tp)
            todo += [info.annotation for info in tp.model_fields.values()]
        else:
            todo += list(typing.get_args(tp))
    return order


def _default(info: Any) -> str:
    if info.default is PydanticUndefined and info.default_factory is None:
        return "**required**"
    value = info.default_factory() if info.default_factory is not None else info.default
    if isinstance(value, BaseModel):
        dumped = {k: v for k, v in value.model_dump(by_alias=True).items() if v not in (0, 0.0, False, None, [], {})}
        return f"`{json.dumps(dumped)}`" if dumped else "(all defaults)"
    if isinstance(value, dict) and any(isinstance(v, BaseModel) for v in value.values()):
        return "`" + json.dumps({k: "(all defaults)" if isinstance(v, BaseModel) else v for k, v in value.items()}) + "`"
    return f"`{json.dumps(value)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown() -> str:
    """The generated reference section: one table per schema object."""
    lines = [BEGIN, "", "## Reference (generated from `techrace/ruleset/schema.py` and its parts `schema_*.py`)", "",
             f"Format version {FORMAT_VERSION}. Every key a ruleset file can set, its type and allowed range, its default, "
             "and what it means (units in the description). Unknown keys are errors.", ""]
    # personalities' `params` are a free mapping checked against these two (policies.personalities.*.params)
    for model in _models(Ruleset) + [NationPolicyParams, RegulatorPolicyParams]:
        lines += [f"### {model.__name__}", ""]
        doc = " ".join((model.__doc__ or "").split())
        if doc and not doc.startswith(("!!!", "Usage docs")):
            lines += [doc, ""]
        lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for name, info in model.model_fields.items():
            key = info.alias or name
            kind = type_name(typing.Annotated[info.annotation, info] if info.metadata else info.annotation)
            lines.append(f"| `{key}` | {_cell(kind)} | {_cell(_default(info))} | {_cell(info.description or '')} |")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def update_document(path: Path) -> bool:
    """Rewrite the generated part of `path` (between the markers, or appended); True if it changed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    generated = reference_markdown()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        new = head + generated + tail
    else:
        new = text.rstrip("\n") + ("\n\n" if text else "") + generated
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/modding.md")
    print(f"{target}: {'updated' if update_document(target) else 'already up to date'}")
