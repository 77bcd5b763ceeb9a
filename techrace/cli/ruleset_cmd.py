"""`techrace ruleset check|show|explain|diff|new|list|schema`: the modder's tools.

Only argparse at import time; the commands import techrace.ruleset (pydantic + yaml, never Mesa),
so `techrace ruleset check` answers in a fraction of a second.
"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ruleset", help="check, inspect and create rulesets (mods)",
                                   description="Tools for ruleset authors: see docs/modding.md.")
    sub = parser.add_subparsers(dest="ruleset_command", metavar="SUBCOMMAND", required=True)

    check = sub.add_parser("check", help="validate a ruleset: every error, located (exit 0 clean, 1 errors, 2 not found)")
    check.add_argument("ruleset", help="ruleset name or directory")
    check.add_argument("--strict", action="store_true", help="warnings (e.g. two mods setting one key) fail the check too")
    check.set_defaults(func=_check)

    show = sub.add_parser("show", help="print the merged ruleset as YAML")
    show.add_argument("ruleset", help="ruleset name or directory")
    show.add_argument("path", nargs="?", default="", help="only this key path, e.g. controls.oct2023_chips")
    show.add_argument("--json", action="store_true", help="print JSON instead of YAML")
    show.set_defaults(func=_show)

    explain = sub.add_parser("explain", help="which layer set a value and what it overrode")
    explain.add_argument("ruleset", help="ruleset name or directory")
    explain.add_argument("path", help="dotted key path, e.g. controls.ai_diffusion.expires")
    explain.set_defaults(func=_explain)

    diff = sub.add_parser("diff", help="what differs between two merged rulesets")
    diff.add_argument("a", help="first ruleset (name or directory)")
    diff.add_argument("b", help="second ruleset (name or directory)")
    diff.set_defaults(func=_diff)

    new = sub.add_parser("new", help="create a commented mod skeleton that checks clean")
    new.add_argument("directory", help="directory to create (must not exist or be empty)")
    new.add_argument("--extends", default="baseline", help="ruleset to layer on (default: baseline)")
    new.add_argument("--name", default=None, help="mod name (default: the directory name)")
    new.set_defaults(func=_new)

    listing = sub.add_parser("list", help="the rulesets found, with version, description and authors")
    listing.add_argument("--verbose", "-v", action="store_true", help="also say what each extends")
    listing.set_defaults(func=_list)

    schema = sub.add_parser("schema", help="JSON Schema for editors (techrace ruleset schema > techrace.schema.json)")
    schema.add_argument("--complete", action="store_true",
                        help="schema of a complete merged ruleset (default: of one layer file, where nothing is required)")
    schema.add_argument("--reference", action="store_true", help="print the Markdown reference instead")
    schema.set_defaults(func=_schema)


def _say(text: str, file=None) -> None:
    """Print user-supplied text (names, descriptions, values) with control characters shown as escapes."""
    from techrace.safe_text import encodable, printable

    stream = file or sys.stdout
    print(encodable(printable(text, keep_newlines=True), getattr(stream, "encoding", None)), file=stream)


def _report(inspected) -> None:  # notices and warnings on stderr, never changing the exit code
    for notice in inspected.notices:
        _say(f"notice: {notice}", sys.stderr)
    for warning in inspected.warnings:
        _say(f"warning: {warning}", sys.stderr)


def _inspect(name: str):  # -> InspectedRuleset, with errors raised as one RulesetError
    from techrace.ruleset import RulesetError, inspect_ruleset

    inspected = inspect_ruleset(name)
    _report(inspected)
    if inspected.errors:
        raise RulesetError(inspected.errors)
    return inspected


def _check(args: argparse.Namespace) -> int:
    from techrace.ruleset import RulesetError, inspect_ruleset, ruleset_hash
    from techrace.ruleset.meta import summary

    try:
        inspected = inspect_ruleset(args.ruleset)
    except RulesetError as exc:  # the ruleset itself could not be found: a usage error
        _say("\n".join(exc.errors), sys.stderr)
        return 2
    _report(inspected)
    if inspected.errors:
        _say("\n".join(inspected.errors))
        if inspected.held_back:
            _say(f"{inspected.held_back} further error(s) held back: they may only follow from the file(s) above "
                 "that could not be read; fix those first, then check again", sys.stderr)
        _say(f"{len(inspected.errors)} error(s) in {args.ruleset}", sys.stderr)
        return 1
    if args.strict and inspected.warnings:
        _say(f"{len(inspected.warnings)} warning(s) in {args.ruleset} (--strict)", sys.stderr)
        return 1
    chain = " <- ".join(layer.name for layer in reversed(inspected.chain))
    assert inspected.ruleset is not None
    title = summary(inspected.chain[0].meta, inspected.ruleset.name)
    _say(f"ok: {title} ({chain}; sha256 {ruleset_hash(inspected.ruleset)[:12]})")
    return 0


def _show(args: argparse.Namespace) -> int:
    import json

    import yaml

    from techrace.ruleset.explain import as_data, get_path, parse_path, provenance_header

    inspected = _inspect(args.ruleset)
    data = as_data(inspected.ruleset)
    value = get_path(data, parse_path(data, args.path))
    if args.json:
        _say(json.dumps(value, indent=2, ensure_ascii=False))
    else:
        if not args.path:
            _say("\n".join(provenance_header(inspected)))
        _say(yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=110).rstrip("\n"))
    return 0


def _explain(args: argparse.Namespace) -> int:
    from techrace.ruleset.explain import explain

    _say("\n".join(explain(_inspect(args.ruleset), args.path)))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from techrace.ruleset.explain import diff

    lines = diff(_inspect(args.a).ruleset, _inspect(args.b).ruleset)
    _say("\n".join(lines) if lines else f"no differences between {args.a} and {args.b}")
    return 0


def _new(args: argparse.Namespace) -> int:
    from pathlib import Path

    from techrace.ruleset import RulesetError, inspect_ruleset
    from techrace.ruleset.skeleton import create_skeleton

    directory = Path(args.directory)
    written = create_skeleton(directory, args.extends, args.name)
    for path in written:
        _say(f"created {path}")
    problems = inspect_ruleset(str(directory)).errors
    if problems:  # the skeleton must check clean; if not, that is our bug
        raise RulesetError(problems)
    _say(f"next: edit the files, then `techrace ruleset check {directory}`")
    return 0


def _list(args: argparse.Namespace) -> int:
    from techrace.ruleset import ruleset_infos

    infos = ruleset_infos()
    titles = [info.name + (f" {info.version}" if info.version else "") for info in infos]
    width = max((len(t) for t in titles), default=4)
    for title, info in zip(titles, infos, strict=True):
        text = info.description if len(info.description) <= 96 else info.description[:93] + "..."
        extra = [f"by {', '.join(info.authors)}"] if info.authors else []
        extra += [f"extends {', '.join(info.extends)}"] if info.extends and args.verbose else []
        _say(f"{title:<{width}}  {text}" + (f" ({'; '.join(extra)})" if extra else ""))
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from techrace.ruleset.reference import json_schema, reference_markdown

    if args.reference:
        print(reference_markdown(), end="")
    else:
        print(json.dumps(json_schema(layer=not args.complete), indent=2, ensure_ascii=False))
    return 0
