"""Subcommands of the batch face: `batch`, `report`, `sensitivity`, `compare`, `discover`, `tournament`
(argparse only here).

Everything heavy (pandas, pyarrow, SALib, scipy, Dask, the core) is imported inside the command
functions, so registering these commands costs nothing.
"""

from __future__ import annotations

import argparse
import shlex
import sys

MAX_POINTS_PRINTED = 6


def register(subparsers: argparse._SubParsersAction) -> None:
    _register_batch(subparsers)
    _register_report(subparsers)
    _register_sensitivity(subparsers)
    _register_compare(subparsers)
    _register_discover(subparsers)
    _register_tournament(subparsers)


def _engine_options(parser: argparse.ArgumentParser) -> None:
    engine = parser.add_mutually_exclusive_group()
    engine.add_argument("--workers", type=int, metavar="W",
                        help="local worker processes (default and maximum: the cores this process may use)")
    engine.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on a Dask distributed cluster instead (extra techrace[distributed])")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")


def _register_batch(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "batch", help="play many games headless (Monte Carlo, sweeps) and stream results to Parquet",
        description="Play N games per parameter point with computer players. Run i's seed comes from "
        "(--seed, i), so results never depend on workers or engine. Results: Parquet parts under --out, "
        "readable with pandas.read_parquet(DIR).",
    )
    p.add_argument("--ruleset", metavar="NAME", help="ruleset name or directory (default: baseline)")
    p.add_argument("--runs", type=int, metavar="N", help="games per parameter point (default: 100)")
    p.add_argument("--turns", type=int, metavar="T", help="quarters per game (default: the ruleset's length)")
    p.add_argument("--seed", type=int, metavar="S", help="batch seed (default: 0)")
    p.add_argument("--out", metavar="DIR", help="result directory (default: batch-out/<ruleset>-n<N>-t<T>-s<S>)")
    p.add_argument("--sweep", action="append", default=[], metavar="KEY=v1,v2,...",
                   help="grid over a ruleset value by key path, e.g. controls.oct2023_chips.tpp=2400,4800,9600 (repeatable)")
    p.add_argument("--vary", action="append", default=[], metavar="KEY=uniform:LO:HI",
                   help="a factor: a ruleset value from a range (uniform:LO:HI, loguniform:LO:HI) or a choice "
                   "(choice:default,passive; ruleset=choice:baseline,no-controls picks whole rulesets), e.g. shocks.taiwan_earthquake.probability_per_quarter=uniform:0:0.1 (repeatable)")
    p.add_argument("--design", choices=("grid", "random", "lhs", "sobol"),
                   help="how factors get values: random (default with --vary: drawn per run), lhs (Latin hypercube) or "
                   "sobol (Saltelli) design points from SALib; grid: the --sweep values only")
    p.add_argument("--samples", type=int, metavar="N",
                   help="design points for --design lhs or sobol (sobol: a power of two, N*(2D+2) points); --runs "
                   "is then the runs per point (default 1)")
    p.add_argument("--resume", action="store_true", help="continue the interrupted batch in --out")
    p.add_argument("--chunk-size", type=int, metavar="K", help="runs per task (default: about 8 tasks per worker, at most 50)")
    _engine_options(p)
    p.set_defaults(func=_batch)


def _register_report(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="fan charts (PNG) and a markdown summary of a batch directory")
    p.add_argument("dir", metavar="DIR", help="a batch directory")
    p.add_argument("--out", metavar="REPORT_DIR", help="where to write (default: DIR/_report)")
    _outcomes_option(p)
    p.set_defaults(func=_report)


def _outcomes_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outcomes", metavar="FILE.yaml",
                        help="user-defined outcomes: name: {metric, nation, reducer: final|max|min|mean|first_crossing, "
                        "threshold, min_relevant} (see docs/batch.md)")


def _register_sensitivity(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("sensitivity", help="which ruleset values move an outcome (SALib Sobol or Morris)")
    p.add_argument("--ruleset", metavar="NAME", help="ruleset name or directory (default: baseline)")
    p.add_argument("--param", action="append", required=True, metavar="KEY=LO:HI",
                   help="a ruleset value by key path and its range (at least two)")
    p.add_argument("--outcome", action="append", required=True, metavar="NAME",
                   help="a results column at the final turn (e.g. capability) or an outcome of --outcomes (repeatable)")
    _outcomes_option(p)
    p.add_argument("--method", choices=("sobol", "morris"), help="default: sobol")
    p.add_argument("--samples", type=int, metavar="N",
                   help="SALib base samples N for D --param (sobol: a power of two, default 64 -> N*(2D+2) rows, with "
                   "second-order indices; morris: trajectories, default 20 -> N*(D+1) rows)")
    p.add_argument("--replicates", type=int, metavar="R", help="seeds averaged per sample row (default 1)")
    p.add_argument("--nation", action="append", metavar="CODE", help="only these nations (default: all)")
    p.add_argument("--turns", type=int, metavar="T")
    p.add_argument("--seed", type=int, metavar="S", help="batch seed (default 0)")
    p.add_argument("--out", metavar="DIR")
    _engine_options(p)
    p.set_defaults(func=_sensitivity)


def _register_compare(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("compare", help="balance check: two rulesets on the same seeds, with confidence intervals")
    p.add_argument("a", metavar="A", help="first ruleset (name or directory)")
    p.add_argument("b", metavar="B", help="second ruleset (name or directory)")
    p.add_argument("--runs", type=int, metavar="N", help="runs per ruleset, on the same seeds (default: 100)")
    p.add_argument("--turns", type=int, metavar="T", help="default: the shorter ruleset's length")
    p.add_argument("--seed", type=int, metavar="S", help="batch seed (default: 0)")
    p.add_argument("--out", metavar="DIR", help="compare.csv goes here, the arms' batches in DIR/a and DIR/b")
    _outcomes_option(p)
    p.add_argument("--min-relevant", action="append", default=[], metavar="OUTCOME=X",
                   help="smallest difference that matters, a number or N%% of arm A's median (e.g. capability=2); "
                   "a star needs q < 0.05 and an effect at least this large (repeatable)")
    _engine_options(p)
    p.set_defaults(func=_compare)


def _register_discover(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("discover", help="scenario discovery: the parameter boxes where an outcome happens (PRIM)",
                              description="PRIM (EMA Workbench, extra techrace[discover]) over a batch's runs: the "
                              "peeling trajectory, the chosen boxes with coverage and density, and feature scores.")
    p.add_argument("dir", metavar="DIR", help="a batch directory with varied parameters (e.g. --design lhs)")
    p.add_argument("--outcome", required=True, metavar="CONDITION",
                   help="winner=CN, victory_kind=KIND, or METRIC:NATION>VALUE (>, >=, <, <=), e.g. capability:CN>150")
    _outcomes_option(p)
    p.add_argument("--min-coverage", type=float, default=0.5, metavar="C",
                   help="choose the densest box that keeps at least this share of the runs with the outcome (default 0.5)")
    p.add_argument("--boxes", type=int, default=3, metavar="K", help="look for up to K boxes (default 3)")
    p.add_argument("--keep-weak", action="store_true",
                   help="keep restrictions whose quasi-p-value is above 0.05 (by default they are dropped)")
    p.add_argument("--out", metavar="OUT_DIR", help="where to write (default: DIR/_discover/<condition>)")
    p.set_defaults(func=_discover)


def _register_tournament(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "tournament", help="every strategy, and every lever alone, per nation and ruleset, on paired seeds",
        description="Play every strategy for each --nation (strategies/ and --strategies DIR) and every lever's "
        "probe (strategies/probes/) against no new orders, run i of every arm on the same seed; write "
        "strategies.csv, levers.csv and summary.md in --out, the runs in --out/_batch. Run again with the same "
        "options to continue an interrupted tournament.")
    p.add_argument("--ruleset", action="append", required=True, metavar="R", help="ruleset name or directory (repeatable)")
    p.add_argument("--nation", action="append", required=True, metavar="N", help="nation code, e.g. US (repeatable)")
    p.add_argument("--runs", type=int, metavar="K", help="runs per arm (default: 20)")
    p.add_argument("--seed", type=int, metavar="S", help="batch seed (default: 0)")
    p.add_argument("--out", required=True, metavar="DIR", help="where the tables, the summary and the runs go")
    p.add_argument("--turns", type=int, metavar="T", help="quarters per game (default: the shortest ruleset's length)")
    p.add_argument("--strategies", action="append", default=[], metavar="DIR",
                   help="more strategy files (DIR/*.yaml, probes in DIR/probes/); one with the nation and name of a "
                   "shipped one replaces it (repeatable)")
    _engine_options(p)
    p.set_defaults(func=_tournament)


def _console():  # noqa: ANN202 - rich imported lazily
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=200, no_color=True)


def _batch(args: argparse.Namespace) -> int:
    from techrace.batch.api import BatchInterrupted, run_batch
    from techrace.batch.store import BatchStore
    from techrace.batch.summary import final_rows, headlines, quantile_table, render
    from techrace.safe_text import printable

    command = "techrace " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["batch"] else "techrace batch"
    try:
        result = run_batch(
            args.ruleset, args.runs, args.turns, args.seed, workers=args.workers, scheduler=args.scheduler,
            out=args.out, sweep=args.sweep or None, vary=args.vary or None, design=args.design,
            samples=args.samples, resume=args.resume,
            progress=not args.no_progress, chunk_size=args.chunk_size, command=command,
        )
    except BatchInterrupted as stop:
        print(printable(f"interrupted: finished runs are kept; continue with: techrace batch --resume --out "
                        f"{shlex.quote(str(stop.out))}"), file=sys.stderr)
        return 130
    console = _console()
    store = BatchStore(result.out)
    outcomes = headlines(store)
    if store.parts():
        final = final_rows(store, outcomes)
        plan = store.read_manifest()["plan"]
        points = plan["points"]
        if 1 < len(points) <= MAX_POINTS_PRINTED:  # never pool sweep points into one table
            for k, values in enumerate(points):
                mine = final[final["run"] // plan["runs"] == k]
                if len(mine):
                    label = ", ".join(f"{key}={value}" for key, value in values.items())
                    console.print(render(quantile_table(mine, outcomes), outcomes, printable(
                        f"Point {k} ({label}): final turn over {mine['run'].nunique()} runs")))
        else:
            pooled = f", pooled over {len(points)} points (techrace report DIR: per point)" if len(points) > 1 else ""
            console.print(render(quantile_table(final, outcomes), outcomes,
                                 printable(f"Final turn over {result.done} runs ({result.engine}){pooled}")))
    console.print(printable(f"{result.done} of {result.total} runs done, {result.failed} failed; results in {result.out}"))
    if result.failed:
        console.print(printable(f"failed runs (run, seed, error) are listed in {result.out / '_failures.json'}"))
        return 1
    return 0


def _report(args: argparse.Namespace) -> int:
    from techrace.batch.report import write_report
    from techrace.safe_text import printable

    path = write_report(args.dir, args.out, outcomes_file=args.outcomes)
    print(printable(f"wrote {path} and charts in {path.parent}"))
    return 0


def _discover(args: argparse.Namespace) -> int:
    from techrace.batch.discover import render, run_discover
    from techrace.safe_text import printable

    result = run_discover(args.dir, args.outcome, outcomes_file=args.outcomes, min_coverage=args.min_coverage,
                          max_boxes=args.boxes, out=args.out, drop_weak=not args.keep_weak)
    console = _console()
    for item in render(result):
        console.print(item)
    console.print(printable(f"trajectory, boxes and feature scores in {result.out}"))
    return 0


def _sensitivity(args: argparse.Namespace) -> int:
    from techrace.batch.plan import parse_ranges
    from techrace.batch.sensitivity import render, run_sensitivity
    from techrace.safe_text import printable

    result = run_sensitivity(
        parse_ranges(args.param), args.outcome, ruleset=args.ruleset, method=args.method, samples=args.samples,
        replicates=args.replicates, turns=args.turns, seed=args.seed, nations=args.nation, out=args.out,
        workers=args.workers, scheduler=args.scheduler, progress=not args.no_progress, outcomes_file=args.outcomes,
    )
    console = _console()
    for warning in result.warnings:
        print(f"sensitivity: warning: {printable(warning)}", file=sys.stderr)
    for item in render(result):
        console.print(item)
    console.print(printable(f"indices in {result.out / '_sensitivity.csv'}; runs in {result.out}"))
    return 0


def _compare(args: argparse.Namespace) -> int:
    from techrace.batch.compare import only_in, render, run_compare
    from techrace.batch.outcomes import parse_min_relevant
    from techrace.safe_text import printable

    result = run_compare(args.a, args.b, runs=args.runs, turns=args.turns, seed=args.seed, out=args.out,
                         outcomes_file=args.outcomes, min_relevant_rules=parse_min_relevant(args.min_relevant),
                         workers=args.workers, scheduler=args.scheduler, progress=not args.no_progress)
    console = _console()
    console.print(render(result))
    for line in only_in(result.table, result.a, result.b):
        console.print(printable(f"note: {line}"))
    console.print(printable(f"* q < 0.05 (Benjamini-Hochberg over the outcomes that vary) and |effect| >= the minimum "
                            f"relevant difference; table in {result.out / 'compare.csv'}"))
    return 0


def _tournament(args: argparse.Namespace) -> int:
    from techrace.batch.api import BatchInterrupted
    from techrace.batch.balance import render
    from techrace.batch.tournament import run_tournament
    from techrace.ruleset.strategies import StrategyError
    from techrace.safe_text import printable

    command = "techrace " + shlex.join(sys.argv[1:]) if sys.argv[1:2] == ["tournament"] else "techrace tournament"
    try:
        result = run_tournament(args.ruleset, args.nation, runs=args.runs, seed=args.seed, out=args.out,
                                turns=args.turns, strategies=args.strategies, workers=args.workers,
                                scheduler=args.scheduler, progress=not args.no_progress, command=command)
    except StrategyError as exc:
        for line in exc.errors:
            print(f"techrace: error: {line}", file=sys.stderr)
        return 2
    except BatchInterrupted:
        print(printable(f"interrupted: finished runs are kept; the same command continues the tournament in {args.out}"),
              file=sys.stderr)
        return 130
    for warning in result.plan.warnings:
        print(f"tournament: warning: {printable(warning)}", file=sys.stderr)
    console = _console()
    for item in render(result.plan, result.strategies, result.levers):
        console.print(item)
    console.print(printable(f"{result.done} runs done, {result.failed} failed ({result.engine}); strategies.csv, "
                            f"levers.csv and summary.md in {result.out}"))
    return 1 if result.failed else 0
