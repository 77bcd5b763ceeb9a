"""A batch directory: Parquet part files, the manifest, failed runs, the ruleset that was played.

Every file is written to a temporary name and renamed, so a batch killed at any instant leaves only
whole files; the runs present in part files are the truth about what is done (the manifest may lag by
one part). Bookkeeping files start with `_` so `pandas.read_parquet(DIR)` reads only the results.

The part files are checked before they are trusted (`scan`): an unreadable part, a copied part and two
parts that hold the same run are found and named. A writer (a batch or a resume) holds `_lock` for its
whole life, so a second writer is refused instead of duplicating runs.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from techrace.errors import TechraceError

MANIFEST = "_manifest.json"
FAILURES = "_failures.json"
RULESET = "_ruleset.json"
RUNS = "_runs.parquet"
LOCK = "_lock"
SET_ASIDE = "_set_aside"
PART_GLOB = "part-*.parquet"
RUNS_METADATA = b"techrace.runs"  # per-run outcomes of a part, JSON in the part's schema metadata


class BatchDirError(TechraceError):
    """A batch directory that cannot be used as asked (exists already, is not a batch, plan differs)."""


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON via a temporary file and a rename; key order is kept (dict order can matter to the engine)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BatchDirError(f"{path}: cannot read: {exc}") from None


def compress_runs(runs: list[int]) -> list[list[int]]:
    """Sorted run numbers as inclusive ranges, [[0, 99], [120, 130]], to keep the manifest small."""
    ranges: list[list[int]] = []
    for run in sorted(runs):
        if ranges and run == ranges[-1][1] + 1:
            ranges[-1][1] = run
        else:
            ranges.append([run, run])
    return ranges


def expand_runs(ranges: list[list[int]]) -> set[int]:
    return {run for low, high in ranges for run in range(int(low), int(high) + 1)}


@dataclass
class PartScan:
    """What the part files really hold: good parts, unreadable ones, copies and clashes."""

    good: list[Path] = field(default_factory=list)
    runs: dict[int, Path] = field(default_factory=dict)  # run -> the part holding it
    unreadable: dict[Path, str] = field(default_factory=dict)
    copies: dict[Path, Path] = field(default_factory=dict)  # copy -> the part it repeats
    clashes: list[tuple[Path, Path, int]] = field(default_factory=list)  # two parts with one run, differing

    def problem(self) -> str | None:
        """The first thing that makes the directory untrustworthy as it stands, in one line."""
        for part, reason in self.unreadable.items():
            return f"{part} is unreadable ({reason})"
        for copy, original in self.copies.items():
            return f"{copy} repeats the runs of {original.name} (a copied part file)"
        for first, second, run in self.clashes:
            return f"{first.name} and {second.name} both hold run {run} (two writers, or a part from another batch)"
        return None


class BatchLock:
    """An exclusive lock on a batch directory for one writer's whole life (released when it exits or dies)."""

    def __init__(self, directory: Path):
        self.path = directory / LOCK
        self._file: Any = None

    def acquire(self) -> None:
        try:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        except OSError as exc:
            raise BatchDirError(f"{self.path.parent}: cannot write here ({exc.strerror or exc})") from None
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise BatchDirError(f"{self.path.parent} is in use by another techrace batch (pid {holder}); "
                                "wait for it to finish, or use another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None


class BatchStore:
    """Reads and writes one batch directory."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.dir = Path(directory)
        self.lock = BatchLock(self.dir)
        self._scan: tuple[tuple[Any, ...], PartScan] | None = None

    # ------------------------------------------------------------------------------------ lifecycle
    def is_batch(self) -> bool:
        return (self.dir / MANIFEST).is_file()

    def create(self, manifest: dict[str, Any], ruleset_json: dict[str, Any]) -> None:
        """Start a new batch: the directory must be empty or new; the lock is held from here on."""
        if self.dir.exists() and not self.dir.is_dir():
            raise BatchDirError(f"{self.dir} is a file, not a directory; choose another --out")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BatchDirError(f"{self.dir}: cannot create the batch directory ({exc.strerror or exc})") from None
        self.lock.acquire()
        if any(p.name != LOCK for p in self.dir.iterdir()):
            self.lock.release()
            what = "a batch" if self.is_batch() else "other files"
            raise BatchDirError(f"{self.dir} already holds {what}; use --resume to continue it, or a new --out")
        write_json_atomic(self.dir / RULESET, ruleset_json)
        self.write_manifest(manifest)

    def open_existing(self) -> dict[str, Any]:
        """Take the lock of a batch to continue it; stale temporary files of a killed writer go."""
        if not self.is_batch():
            raise BatchDirError(f"{self.dir} is not a batch directory (no {MANIFEST}); nothing to resume")
        self.lock.acquire()
        for stale in self.dir.glob(".*.tmp"):  # a write interrupted by a kill
            stale.unlink()
        return self.read_manifest()

    def read_manifest(self) -> dict[str, Any]:
        if not self.is_batch():
            raise BatchDirError(f"{self.dir} is not a batch directory (no {MANIFEST})")
        manifest = read_json(self.dir / MANIFEST)
        if not isinstance(manifest, dict) or "plan" not in manifest or "ruleset_hash" not in manifest:
            raise BatchDirError(f"{self.dir / MANIFEST}: not a techrace batch manifest")
        return manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json_atomic(self.dir / MANIFEST, manifest)

    def ruleset_json(self) -> dict[str, Any]:
        data = read_json(self.dir / RULESET)
        if not isinstance(data, dict):
            raise BatchDirError(f"{self.dir / RULESET}: not a ruleset")
        return data

    # ----------------------------------------------------------------------------------- results
    def write_part(self, table: pa.Table, runs: list[int], outcomes: list[dict[str, Any]] | None = None) -> Path:
        """Write one chunk's rows as a part file named by its first and last run; per-run outcomes ride along
        in the file's metadata, so rows and outcomes arrive together or not at all."""
        final = self.dir / f"part-{min(runs):08d}-{max(runs):08d}.parquet"
        if final.exists():
            raise BatchDirError(f"{final} exists already: two writers on one batch directory?")
        if outcomes is not None:
            metadata = dict(table.schema.metadata or {})
            metadata[RUNS_METADATA] = json.dumps(outcomes, separators=(",", ":")).encode()
            table = table.replace_schema_metadata(metadata)
        tmp = self.dir / f".{final.name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, final)
        return final

    def scan(self) -> PartScan:
        """Read the run column of every part (cached while no part changes) and sort out what can be trusted."""
        files = sorted(self.dir.glob(PART_GLOB))
        signature = tuple((p.name, *_stat(p)) for p in files)
        if self._scan is not None and self._scan[0] == signature:
            return self._scan[1]
        scan = PartScan()
        for part in files:
            try:
                runs = sorted(set(pq.read_table(part, columns=["run"]).column("run").to_pylist()))
            except (OSError, pa.ArrowException, KeyError) as exc:
                scan.unreadable[part] = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
                continue
            seen = {scan.runs[r] for r in runs if r in scan.runs}
            if not seen:
                scan.good.append(part)
                scan.runs.update(dict.fromkeys(runs, part))
                continue
            original = next(iter(seen))
            if len(seen) == 1 and _same_rows(part, original):
                scan.copies[part] = original
            else:
                run = next(r for r in runs if r in scan.runs)
                scan.clashes.append((scan.runs[run], part, run))
        self._scan = (signature, scan)
        return scan

    def parts(self) -> list[Path]:
        """The part files to read; refuses a directory with an unreadable, copied or clashing part."""
        scan = self.scan()
        problem = scan.problem()
        if problem:
            raise BatchDirError(f"{problem}; `techrace batch --resume --out {self.dir}` sets it aside and replays its runs"
                                if not scan.clashes else f"{problem}; remove the part that does not belong")
        return scan.good

    def repair(self) -> list[str]:
        """Under the lock: move unreadable and copied parts to `_set_aside/` (their runs are played again);
        refuse two parts that hold one run with different rows. Returns a line per file moved."""
        scan = self.scan()
        if scan.clashes:
            first, second, run = scan.clashes[0]
            raise BatchDirError(f"{first.name} and {second.name} both hold run {run} with different rows; "
                                "remove the part that does not belong to this batch")
        notes = []
        for part, why in [*((p, f"unreadable: {r}") for p, r in scan.unreadable.items()),
                          *((p, f"a copy of {o.name}") for p, o in scan.copies.items())]:
            aside = self.dir / SET_ASIDE
            aside.mkdir(exist_ok=True)
            os.replace(part, aside / part.name)
            notes.append(f"set aside {part.name} ({why}); its runs are played again if missing")
        return notes

    def done_runs(self) -> set[int]:
        """Runs whose rows are on disk (read from the part files themselves)."""
        self.parts()
        return set(self.scan().runs)

    def missing_runs(self, manifest: dict[str, Any]) -> set[int]:
        """Runs the manifest calls done that no part file holds (a part deleted by hand)."""
        return expand_runs(manifest.get("done", [])) - set(self.scan().runs)

    def iter_tables(self, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """Part tables one at a time, so summaries never hold the whole batch in memory."""
        for part in self.parts():
            yield pq.read_table(part, columns=columns)

    def schema_names(self) -> list[str]:
        parts = self.parts()
        return pq.read_schema(parts[0]).names if parts else []

    def run_outcomes(self) -> list[dict[str, Any]]:
        """Per-run outcomes (winner, victory, end scores) from every part's metadata, by run."""
        rows: list[dict[str, Any]] = []
        for part in self.parts():
            metadata = pq.read_schema(part).metadata or {}
            if RUNS_METADATA in metadata:
                rows.extend(json.loads(metadata[RUNS_METADATA]))
        return sorted(rows, key=lambda row: row["run"])

    # ---------------------------------------------------------------------------------- failures
    def failures(self) -> list[dict[str, Any]]:
        path = self.dir / FAILURES
        return read_json(path) if path.is_file() else []

    def write_failures(self, failures: list[dict[str, Any]]) -> None:
        write_json_atomic(self.dir / FAILURES, sorted(failures, key=lambda f: f["run"]))


def _stat(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def _same_rows(part: Path, other: Path) -> bool:
    try:
        return pq.read_table(part).equals(pq.read_table(other))
    except (OSError, pa.ArrowException):
        return False
