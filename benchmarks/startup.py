"""Start-up cost: what each entry point loads and how long it takes, each in a fresh Python process.

    python benchmarks/startup.py [--repeats 7] [--rev main] [--out FILE]

Every case runs `--repeats` times in a new interpreter (`sys.executable -c ...`, `-X importtime` off);
the table shows the median wall time and the median CPU time (user + system of the child, from
`resource.getrusage`), each also as a multiple of a bare `python -c pass`, and the heavy third-party
packages the case left in `sys.modules` (the same in every repeat: the import graph is deterministic).
The cases are a bare interpreter, `import mesa`, `import techrace.core`, building a baseline `Game`,
`techrace --help` and the terminal game's path to its first screen (importing the app and the new-game
screen and building the app object, without running it). `--rev REV` measures a git revision's package
too (exported to a temporary folder, same interpreter and installed libraries) and adds a table of ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Third-party packages whose import costs tens of milliseconds or more (top-level names in sys.modules).
HEAVY = ("numpy", "pydantic", "yaml", "mesa", "pandas", "pyarrow", "scipy", "networkx", "tqdm", "matplotlib",
         "SALib", "textual", "rich", "textual_plot", "watchfiles", "dask", "distributed")

TUI_FIRST_SCREEN = """
from techrace.tui.app import TechraceApp
from techrace.tui.options import GameOptions
from techrace.tui.screens.start import NewGameScreen
from techrace.tui.settings import Settings
TechraceApp(GameOptions(), autosaves=False, settings=Settings())
"""

CASES: dict[str, str] = {
    "python -c pass": "pass",
    "import mesa": "import mesa",
    "import techrace.core": "import techrace.core",
    "baseline Game built": "from techrace.core.game import Game\nGame.from_ruleset('baseline', seed=1)",
    "techrace --help": "from techrace.launcher import main\nmain(['--help'])",
    "techrace play: first screen (imports)": TUI_FIRST_SCREEN,
}

# The child runs the case, then reports the heavy packages it loaded on stderr (stdout is the case's own).
RUNNER = """
import sys
try:
    exec(compile({code!r}, "<case>", "exec"))
except SystemExit:
    pass
loaded = sorted(name for name in {heavy!r} if name in sys.modules)
print("@@loaded@@" + ",".join(loaded), file=sys.stderr)
"""


def export(rev: str, folder: Path) -> Path:
    """The package, rulesets and strategies of a git revision in a folder of their own."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "techrace", "rulesets", "strategies"],
                             capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def run_once(code: str, source: Path) -> tuple[float, float, list[str]]:
    """Wall seconds, CPU seconds and the heavy packages loaded, for one fresh interpreter running `code`
    with the `techrace` package of `source`."""
    env = {**os.environ, "PYTHONPATH": str(source)}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUNNER.format(code=code, heavy=HEAVY)], cwd=source, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    marker = [line for line in done.stderr.splitlines() if line.startswith("@@loaded@@")]
    if done.returncode != 0 or not marker:
        raise SystemExit(f"case failed in {source} (exit {done.returncode}):\n{code}\n{done.stderr[-2000:]}")
    loaded = [name for name in marker[-1].removeprefix("@@loaded@@").split(",") if name]
    return wall, cpu, loaded


Row = dict[str, object]


def measure(sources: dict[str, Path], repeats: int) -> dict[str, list[Row]]:
    """Per source, one row per case: medians over `repeats` fresh processes. Sources and cases are
    interleaved, so a change in the machine's load hits them all alike."""
    samples = {(label, name): [] for label in sources for name in CASES}
    loaded: dict[tuple[str, str], list[str]] = {}
    for _ in range(repeats):
        for name, code in CASES.items():
            for label, source in sources.items():
                wall, cpu, modules = run_once(code, source)
                samples[(label, name)].append((wall, cpu))
                loaded[(label, name)] = modules
    return {label: [{"case": name,
                     "wall": statistics.median(w for w, _ in samples[(label, name)]),
                     "cpu": statistics.median(c for _, c in samples[(label, name)]),
                     "loaded": loaded[(label, name)]} for name in CASES] for label in sources}


def render(label: str, rows: list[Row]) -> str:
    bare_wall, bare_cpu = float(rows[0]["wall"]), float(rows[0]["cpu"])  # type: ignore[arg-type]
    lines = [f"**{label}**", "",
             "| case | wall ms | CPU ms | wall × bare | CPU × bare | heavy packages loaded |",
             "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        wall, cpu = float(row["wall"]), float(row["cpu"])  # type: ignore[arg-type]
        loaded = ", ".join(row["loaded"]) or "none"  # type: ignore[arg-type]
        lines.append(f"| {row['case']} | {wall * 1000:.0f} | {cpu * 1000:.0f} | {wall / bare_wall:.1f} | "
                     f"{cpu / bare_cpu:.1f} | {loaded} |")
    return "\n".join(lines) + "\n"


def render_ratios(results: dict[str, list[Row]]) -> str:
    """This tree against each revision, case by case (CPU and wall medians)."""
    mine = results["this tree"]
    lines = []
    for label, rows in results.items():
        if label == "this tree":
            continue
        lines += [f"**this tree / {label}**", "", "| case | CPU ratio | wall ratio |", "|---|---:|---:|"]
        for new, old in zip(mine, rows, strict=True):
            lines.append(f"| {new['case']} | {float(new['cpu']) / float(old['cpu']):.2f} | "  # type: ignore[arg-type]
                         f"{float(new['wall']) / float(old['wall']):.2f} |")  # type: ignore[arg-type]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="fresh processes per case (median taken)")
    parser.add_argument("--rev", action="append", default=[], help="a git revision to measure too (repeatable)")
    parser.add_argument("--out", type=Path, help="also write the markdown tables to this file")
    parser.add_argument("--json", action="store_true", help="print the raw medians as JSON after the tables")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = {"this tree": REPO} | {rev: export(rev, Path(tmp) / re.sub(r"\W", "_", rev)) for rev in args.rev}
        results = measure(sources, args.repeats)
    head = (f"Medians of {args.repeats} fresh processes per case (Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} cores; CPU = user + system of the child).\n")
    text = "\n".join([head, *(render(label, rows) for label, rows in results.items()), render_ratios(results)])
    print(text.rstrip())
    if args.json:
        print(json.dumps(results, indent=1))
    if args.out:
        args.out.write_text(text.rstrip() + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
