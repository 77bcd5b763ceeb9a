"""Read one YAML file into plain data plus the line and column of every key, never a traceback.

PyYAML's safe composer gives nodes with marks; we build the Python data ourselves so that duplicate
keys, unknown tags, bombs of aliases and deep nesting become located messages instead of silent
overwrites or crashes. Two tags are part of the layering syntax: `!remove` and `!replace`.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from techrace.ruleset.yaml_errors import explain_yaml_error

MAX_FILE_BYTES = 1 << 20  # 1 MiB: the whole baseline is ~50 KB
MAX_DEPTH = 24
MAX_NODES = 50_000  # after alias expansion (a "billion laughs" file stops early); baseline has ~2,500

KeyPath = tuple[str | int, ...]
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same nodes and marks, faster


@dataclass(frozen=True)
class Mark:
    """Where a value was written: file, 1-based line and column, and the layer that holds the file."""

    file: str
    line: int
    col: int
    layer: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


def marks_of(value: object, path: KeyPath, marks: dict[KeyPath, Mark]) -> dict[KeyPath, Mark]:
    """The marks of `path` and everything inside `value` (walks the value, not the whole table)."""
    out = {path: marks[path]} if path in marks else {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(marks_of(item, path + (key,), marks))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out.update(marks_of(item, path + (index,), marks))
    return out


class _Remove:
    """The `!remove` tag: delete this entry or field from the layers below."""

    _instance: _Remove | None = None

    def __new__(cls) -> _Remove:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "!remove"


REMOVE = _Remove()


REFUSED = object()  # a value the reader refused (and reported): its key is left out of the data


class Replace(dict):
    """The `!replace` tag on a mapping: use it whole instead of merging it into the layers below."""


@dataclass
class SourceFile:
    """One parsed YAML file: its data, the mark of every key path, and the problems found. `unreadable`
    when the whole file was dropped (so what it would have defined is missing and errors elsewhere may
    only follow from that)."""

    data: dict[str, Any]
    marks: dict[KeyPath, Mark]
    errors: list[str]
    unreadable: bool = field(default=False)


class UnreadableFile(Exception):
    """A file that is not a regular file, too large or unreadable; the message says which."""


def read_bytes_safely(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. Devices, FIFOs and directories are refused at
    once (checked with fstat on the opened file, never blocking on a FIFO), and the size is checked on
    the opened file so a file that grows or a symlink to /dev/zero cannot make us read forever."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a device or special file"
            raise UnreadableFile(f"not a regular file ({kind}): ruleset files must be plain files")
        if info.st_size > limit:
            raise UnreadableFile(f"too large ({info.st_size} bytes; the limit is {limit})")
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 16, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UnreadableFile(f"too large (more than {limit} bytes)")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


def read_text_safely(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """`read_bytes_safely` decoded as UTF-8 (raises UnreadableFile saying where the bad byte is)."""
    data = read_bytes_safely(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class _TooBig(Exception):
    pass


def display_path(path: Path) -> str:
    """A path as users typed it: relative to the working directory when inside it. Only the folder is
    resolved, so a file that is a symlink is named by its own name, not by where it points."""
    try:
        return str((path.parent.resolve() / path.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(path)


def escapes_folder(path: Path, root: Path) -> str | None:
    """Why `path` may not be read as a file of the folder `root`, or None. A name in a folder is the
    user's promise that the file lies there: a symlink leading out of it (to a secret, another project)
    is refused before anything is opened, so no file outside is ever read or quoted."""
    try:
        target, folder = path.resolve(), root.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return "not read: a symlink that leads nowhere (a loop)"
    if target.is_relative_to(folder):
        return None
    return (f"not read: a symlink leading outside its folder {_shown(folder)} (to {_shown(target)}); "
            "copy the file into the folder instead")


def _shown(resolved: Path) -> str:
    """A resolved path relative to the working directory when inside it."""
    try:
        return str(resolved.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(resolved)


_SCALAR_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}


def _short_tag(tag: str) -> str:
    """`tag:yaml.org,2002:python/tuple` as the modder wrote it: `!!python/tuple`."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


class _Builder:
    def __init__(self, file: str, layer: str):
        self.file = file
        self.layer = layer
        self.marks: dict[KeyPath, Mark] = {}
        self.errors: list[str] = []
        self.nodes = 0
        self.scalars = yaml.constructor.SafeConstructor()

    def mark(self, node: yaml.Node) -> Mark:
        return Mark(self.file, node.start_mark.line + 1, node.start_mark.column + 1, self.layer)

    def error(self, node: yaml.Node, path: KeyPath, message: str) -> None:
        where = ".".join(str(p) for p in path) or "(top)"
        self.errors.append(f"{self.mark(node)}: {where}: {message} [layer {self.layer}]")

    def build(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} values (after expanding aliases)")
        if depth > MAX_DEPTH:
            self.error(node, path, f"nested more than {MAX_DEPTH} levels deep")
            return REFUSED
        tag = node.tag
        if tag == "!remove":
            if not (isinstance(node, yaml.ScalarNode) and node.value == ""):
                self.error(node, path, "`!remove` takes no value (write `key: !remove`)")
            return REMOVE
        if isinstance(node, yaml.MappingNode):
            if tag not in ("tag:yaml.org,2002:map", "!replace"):
                self.error(node, path, f"unknown tag {_short_tag(tag)!r} (only !remove and !replace are allowed)")
                return REFUSED
            return self.mapping(node, path, depth)
        if tag == "!replace":
            self.error(node, path, "`!replace` goes on a mapping (key: !replace {field: value, ...})")
            return REFUSED
        if isinstance(node, yaml.SequenceNode):
            if tag != "tag:yaml.org,2002:seq":
                self.error(node, path, f"unknown tag {_short_tag(tag)!r} (only !remove and !replace are allowed)")
                return REFUSED
            items = []
            for index, item in enumerate(node.value):
                self.marks[path + (index,)] = self.mark(item)
                items.append(self.build(item, path + (index,), depth + 1))
            return REFUSED if any(item is REFUSED for item in items) else items
        if tag not in _SCALAR_TAGS:
            self.error(node, path, f"unknown tag {_short_tag(tag)!r} (only !remove and !replace are allowed)")
            return REFUSED
        try:
            return self.scalars.construct_object(node)
        except yaml.YAMLError as exc:
            self.error(node, path, f"cannot read value: {getattr(exc, 'problem', None) or exc}")
            return REFUSED
        except (ValueError, IndexError, TypeError, OverflowError):  # an explicit tag on a value it cannot take
            self.error(node, path, f"cannot read {node.value!r} as {_short_tag(tag)}")
            return REFUSED

    def mapping(self, node: yaml.MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        """A mapping's keys as names (never booleans), duplicates and merge keys refused, located."""
        out: dict[str, Any] = Replace() if node.tag == "!replace" else {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                self.error(key_node, path, "keys must be plain names (no lists, mappings or `<<` merges)")
                continue
            key = str(key_node.value)  # keys are always names: `NO` stays Norway, not false
            if key in first_line:
                self.error(key_node, path + (key,), f"duplicate key {key!r} (first at line {first_line[key]})")
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.marks[path + (key,)] = self.mark(key_node)
            value = self.build(value_node, path + (key,), depth + 1)
            if value is not REFUSED:  # a refused value leaves the key unset, so no knock-on errors follow
                out[key] = value
        return out


def read_yaml(path: Path, layer: str, root: Path | None = None) -> SourceFile:
    """Parse one file of a layer (of the folder `root`, which it must not leave through a symlink);
    every problem is a located message in `errors`."""
    file = display_path(path)
    escape = escapes_folder(path, root) if root is not None else None
    if escape:
        return SourceFile({}, {}, [f"{file}:1:1: (file): {escape} [layer {layer}]"], unreadable=True)
    try:
        text = read_text_safely(path)
    except UnreadableFile as exc:
        return SourceFile({}, {}, [f"{file}:1:1: (file): {exc} [layer {layer}]"], unreadable=True)
    return parse_yaml_text(text, file, layer)


def parse_yaml_text(text: str, file: str, layer: str) -> SourceFile:
    """Parse YAML text (one document) into data, marks and located errors."""
    builder = _Builder(file, layer)
    try:
        node = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        line, col, message = explain_yaml_error(text, exc)
        return SourceFile({}, {}, [f"{file}:{line}:{col}: (yaml): {message} [layer {layer}]"], unreadable=True)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: locate it by its offset
        before = text[: exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return SourceFile({}, {}, [f"{file}:{line}:{col}: (yaml): character U+{code:04X} is not allowed in YAML "
                                   f"[layer {layer}]"], unreadable=True)
    except yaml.YAMLError as exc:
        return SourceFile({}, {}, [f"{file}:1:1: (yaml): bad YAML: {' '.join(str(exc).split())} [layer {layer}]"], unreadable=True)
    except RecursionError:
        return SourceFile({}, {}, [f"{file}:1:1: (yaml): nested too deeply to read [layer {layer}]"], unreadable=True)
    if node is None:
        return SourceFile({}, {}, [])
    try:
        data = builder.build(node, (), 0)
    except _TooBig as exc:
        return SourceFile({}, {}, [f"{file}:1:1: (file): too large: {exc} [layer {layer}]"], unreadable=True)
    if data is None and not builder.errors:
        return SourceFile({}, {}, [])
    if data is REFUSED:
        return SourceFile({}, {}, builder.errors, unreadable=True)
    if not isinstance(data, dict) or isinstance(data, Replace):
        if not builder.errors:
            builder.error(node, (), "the top level must be a mapping of sections (e.g. `controls:`)")
        return SourceFile({}, {}, builder.errors, unreadable=True)
    return SourceFile(data, builder.marks, builder.errors)
