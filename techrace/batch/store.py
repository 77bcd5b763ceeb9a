"""A batch directory: Parquet part files, the manifest, failed runs, the ruleset that was played.

Every file is written to a temporary name and renamed, so a batch killed at any instant leaves only
whole files; the runs present in part files are the truth about what is done (the manifest may lag by
one part). Bookkeeping files start with `_` so `pandas.read_parquet(DIR)` reads only the results.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from techrace.errors import TechraceError

MANIFEST = "_manifest.json"
FAILURES = "_failures.json"
RULESET = "_ruleset.json"
PART_GLOB = "part-*.parquet"


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
    except (OSError, json.JSONDecodeError) as exc:
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


class BatchStore:
    """Reads and writes one batch directory."""

    def __init__(self, directory: str | os.PathLike[str]):
        self.dir = Path(directory)

    # ------------------------------------------------------------------------------------ lifecycle
    def is_batch(self) -> bool:
        return (self.dir / MANIFEST).is_file()

    def create(self, manifest: dict[str, Any], ruleset_json: dict[str, Any]) -> None:
        if self.dir.exists() and any(self.dir.iterdir()):
            what = "a batch" if self.is_batch() else "other files"
            raise BatchDirError(f"{self.dir} already holds {what}; use --resume to continue it, or a new --out")
        self.dir.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.dir / RULESET, ruleset_json)
        self.write_manifest(manifest)

    def open_existing(self) -> dict[str, Any]:
        if not self.is_batch():
            raise BatchDirError(f"{self.dir} is not a batch directory (no {MANIFEST}); nothing to resume")
        for stale in self.dir.glob(".*.tmp"):  # a write interrupted by a kill
            stale.unlink()
        return self.read_manifest()

    def read_manifest(self) -> dict[str, Any]:
        if not self.is_batch():
            raise BatchDirError(f"{self.dir} is not a batch directory (no {MANIFEST})")
        return read_json(self.dir / MANIFEST)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        write_json_atomic(self.dir / MANIFEST, manifest)

    def ruleset_json(self) -> dict[str, Any]:
        return read_json(self.dir / RULESET)

    # ----------------------------------------------------------------------------------- results
    def write_part(self, table: pa.Table, runs: list[int]) -> Path:
        """Write one chunk's rows as a part file, named by its first and last run."""
        final = self.dir / f"part-{min(runs):08d}-{max(runs):08d}.parquet"
        if final.exists():
            raise BatchDirError(f"{final} exists already: two writers on one batch directory?")
        tmp = self.dir / f".{final.name}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, final)
        return final

    def parts(self) -> list[Path]:
        return sorted(self.dir.glob(PART_GLOB))

    def done_runs(self) -> set[int]:
        """Runs whose rows are on disk (read from the part files themselves)."""
        done: set[int] = set()
        for part in self.parts():
            runs = pq.read_table(part, columns=["run"]).column("run")
            done.update(pc.unique(runs).to_pylist())
        return done

    def iter_tables(self, columns: list[str] | None = None) -> Iterator[pa.Table]:
        """Part tables one at a time, so summaries never hold the whole batch in memory."""
        for part in self.parts():
            yield pq.read_table(part, columns=columns)

    def schema_names(self) -> list[str]:
        parts = self.parts()
        return pq.read_schema(parts[0]).names if parts else []

    # ---------------------------------------------------------------------------------- failures
    def failures(self) -> list[dict[str, Any]]:
        path = self.dir / FAILURES
        return read_json(path) if path.is_file() else []

    def write_failures(self, failures: list[dict[str, Any]]) -> None:
        write_json_atomic(self.dir / FAILURES, sorted(failures, key=lambda f: f["run"]))
