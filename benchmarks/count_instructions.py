"""Instructions per 44-turn baseline game, counted exactly with valgrind, for this tree and git revisions.

Wall and CPU times on a shared machine swing too much to compare versions of the core; instruction counts
do not. Each version plays seed 1 of `baseline` for `--turns` quarters and for 0 quarters in a fresh
process under `valgrind --tool=callgrind`; the difference is the game's own cost (imports, loading the
ruleset and building the game cancel out). Each runs in a folder with no `rulesets/`, so every version
loads its own shipped baseline.

    python benchmarks/count_instructions.py [--rev 2ce6581 --rev cc92d08] [--turns 44]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLAY = """
import sys
sys.path.insert(0, sys.argv[1])
from techrace.core import Game
from techrace.ruleset import load_ruleset
Game.from_ruleset(load_ruleset("baseline"), seed=1).run(int(sys.argv[2]))
"""


def export(rev: str, folder: Path) -> Path:
    """The package and rulesets of a revision in a folder of their own."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "techrace", "rulesets"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def count(source: Path, script: Path, turns: int) -> int:
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                           str(script), str(source), str(turns)], capture_output=True, text=True, cwd=script.parent)
    if done.returncode:
        sys.exit(f"{source} ({turns} turns) failed:\n{done.stderr[-2000:]}")
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def parser_for(doc: str) -> argparse.ArgumentParser:
    """The options every instruction count takes: revisions to count beside this tree, and the game's length."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rev", action="append", default=[], help="a git revision to count too (repeatable)")
    parser.add_argument("--turns", type=int, default=44)
    return parser


def trees(revs: list[str], tmp: str, play: str) -> tuple[Path, dict[str, Path]]:
    """The play script written to `tmp`, and the source folder of this tree and of each revision."""
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed")
    script = Path(tmp) / "play.py"
    script.write_text(play, encoding="utf-8")
    return script, {"this tree": ROOT} | {rev: export(rev, Path(tmp) / re.sub(r"\W", "_", rev)) for rev in revs}


def main() -> None:
    args = parser_for(__doc__).parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        script, sources = trees(args.rev, tmp, PLAY)
        jobs = [(name, turns) for name in sources for turns in (0, args.turns)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            counts = dict(zip(jobs, pool.map(lambda job: count(sources[job[0]], script, job[1]), jobs), strict=True))
    base = None
    for name in sources:
        game = counts[(name, args.turns)] - counts[(name, 0)]
        base = base or game
        print(f"{name:>12}: {game / 1e6:,.0f} M instructions per {args.turns}-turn game ({game / base:.2f} of the first)")


if __name__ == "__main__":
    main()
