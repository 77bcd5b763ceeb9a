"""`techrace calibrate`: checks as ruleset data, their evaluation over seeds, the report and its errors."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ruleset_support import LOCATED, assert_located, write_mod

from techrace.core.calibration import calibrate, evaluate, turns_needed
from techrace.launcher import main
from techrace.ruleset import Ruleset, RulesetError, inspect_ruleset, load_ruleset
from techrace.ruleset.schema import CalibrationMeasure

# Two checks that no model figure can miss or meet, read no later than 2025Q3 (so only 3 quarters are played).
SMALL = """\
calibration: !replace
  compute_anything:
    figure: World AI compute
    source: test
    measure: {metric: ai_compute_h100e, nations: all, reduce: sum, at: 2025Q1}
    range: [0, 1.0e12]
  compute_impossible:
    figure: World AI compute below one H100
    source: test
    measure: {metric: ai_compute_h100e, nations: all, reduce: sum, at: 2025Q1}
    range: [0, 1]
  us_share:
    figure: US share of compute
    source: test
    measure: {metric: ai_compute_h100e, nations: [US], reduce: share, growth_per_year: [2025Q1, 2025Q3]}
    range: [0, 100]
"""


@pytest.fixture(scope="module")
def small_mod(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_mod(tmp_path_factory.mktemp("cal") / "small-cal", {"calibration.yaml": SMALL}, format_version=2)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ------------------------------------------------------------------------------------ the measures


def _rows(values: dict[str, dict[str, float]]) -> list[dict[str, object]]:
    return [{"quarter": q, "nation": n, "ai_compute_h100e": v} for q, by_nation in values.items() for n, v in by_nation.items()]


GAME = _rows({"2025Q1": {"US": 3.0, "CN": 1.0}, "2025Q2": {"US": 6.0, "CN": 2.0}, "2025Q3": {"US": 12.0, "CN": 4.0}})


@pytest.mark.parametrize(("measure", "expected"), [
    ({"nations": "all", "reduce": "sum", "at": "2025Q2"}, 8.0),
    ({"nations": ["CN"], "reduce": "max", "at": "2025Q3"}, 4.0),
    ({"nations": "all", "reduce": "max", "at": "2025Q1"}, 3.0),
    ({"nations": ["US"], "reduce": "share", "at": "2025Q1"}, 0.75),
    ({"nations": ["CN"], "reduce": "sum", "total": ["2025Q1", "2025Q3"]}, 7.0),
    ({"nations": ["CN"], "reduce": "share", "total": ["2025Q2", "2025Q3"]}, 6.0 / 24.0),
    # doubling every quarter is 16x a year; over two quarters the ratio 4 is annualised to 4^2
    ({"nations": "all", "reduce": "sum", "growth_per_year": ["2025Q1", "2025Q3"]}, 16.0),
    ({"nations": ["US"], "reduce": "share", "growth_per_year": ["2025Q1", "2025Q2"]}, 1.0),
])
def test_measures_reduce_over_nations_then_over_time(measure: dict[str, object], expected: float) -> None:
    value = evaluate(CalibrationMeasure(metric="ai_compute_h100e", **measure), GAME, "2025Q1")
    assert value == pytest.approx(expected)


def test_a_game_that_never_reached_the_quarter_has_no_value() -> None:
    measure = CalibrationMeasure(metric="ai_compute_h100e", at="2026Q1")
    assert evaluate(measure, GAME, "2025Q1") is None


# ------------------------------------------------------------------------------------ the report


def test_rows_state_ok_and_out(small_mod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["calibrate", "--ruleset", str(small_mod), "--seeds", "2", "--out", str(tmp_path / "r.md")], capsys)
    assert code == 0  # it ran, although one check is out
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith(("compute_", "us_share"))}
    assert set(lines) == {"compute_anything", "compute_impossible", "us_share"}
    assert re.search(r"\bok\b", lines["compute_anything"]) and re.search(r"\bout\b", lines["compute_impossible"])
    assert "2025Q1→2025Q3" in lines["us_share"] and "%" in lines["us_share"]
    assert "3 checks: 2 ok, 1 out (compute_impossible)" in out
    assert "2 seeds (0-1), 3 quarters played" in out  # only as far as the latest quarter a check reads
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| compute_impossible | World AI compute below one H100 | 2025Q1 |" in markdown
    assert markdown.count("| out |") == 1 and markdown.count("| ok |") == 2
    assert "no hindcast of 2020-2024" in markdown


def test_rows_carry_every_seed_and_median(small_mod: Path) -> None:
    report = calibrate(load_ruleset(str(small_mod)), seeds=3)
    assert report.turns == 3 and report.seeds == (0, 1, 2)
    for row in report.rows:
        assert len(row.values) == 3 and None not in row.values
        low, high = row.spread
        assert low <= row.median <= high
    assert [r.check for r in report.out] == ["compute_impossible"]
    assert [r.kind for r in report.rows] == ["state", "state", "trend"]


def test_same_seeds_same_values_and_same_file(small_mod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ruleset = load_ruleset(str(small_mod))
    assert [r.values for r in calibrate(ruleset, 2).rows] == [r.values for r in calibrate(ruleset, 2).rows]
    for name in ("a.md", "b.md"):
        assert _run(["calibrate", "--ruleset", str(small_mod), "--seeds", "2", "--out", str(tmp_path / name)], capsys)[0] == 0
    assert (tmp_path / "a.md").read_bytes() == (tmp_path / "b.md").read_bytes()


def test_baseline_checks_cover_the_sheet_rows_and_both_kinds() -> None:
    ruleset = load_ruleset("baseline")
    checks = ruleset.calibration
    assert len(checks) >= 9
    assert all(c.source.startswith("§") for c in checks.values())  # every range names its row of the sheet
    kinds = {c.measure.growth_per_year is not None for c in checks.values()}
    assert kinds == {True, False}
    assert turns_needed(ruleset) == 5  # 2025Q1 -> 2026Q1: the first year of play, not the whole game


def test_markdown_is_replaced_atomically(small_mod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("the previous report\n", encoding="utf-8")
    real_replace, renames = os.replace, []

    def spy(src: str, dst: str) -> None:
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    assert _run(["calibrate", "--ruleset", str(small_mod), "--seeds", "1", "--out", str(target)], capsys)[0] == 0
    assert [dst for _, dst in renames] == [target] and renames[0][0].parent == target.parent  # temp file, then rename
    assert target.read_text(encoding="utf-8").startswith("# Calibration report")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    target.write_text("the previous report\n", encoding="utf-8")
    monkeypatch.setattr(os, "fsync", full_disk)
    code, _, err = _run(["calibrate", "--ruleset", str(small_mod), "--seeds", "1", "--out", str(target)], capsys)
    assert code == 2 and "No space left" in err and len(err.strip().splitlines()) == 1
    assert target.read_text(encoding="utf-8") == "the previous report\n"  # the old file is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]  # no temp file left behind


# ------------------------------------------------------------------------------------ bad input


BAD_CHECKS = {
    "metric": ("measure: {metric: ai_compute_h100, at: 2025Q1}", "measure.metric", "did you mean 'ai_compute_h100e'"),
    "nation": ("measure: {metric: capability, nations: [US, XX], at: 2025Q1}", "measure.nations.1", "unknown nation 'XX'"),
    "span": ("measure: {metric: capability, growth_per_year: [2026Q1, 2025Q1]}", "measure.growth_per_year", "TO must come after FROM"),
    "window": ("measure: {metric: capability, at: 2025Q1, total: [2025Q1, 2025Q4]}", "measure", "exactly one of"),
    "share": ("measure: {metric: capability, reduce: share, at: 2025Q1}", "measure", "needs a list of `nations`"),
}


def _bad_mod(root: Path, case: str, range_text: str = "[1, 2]") -> Path:
    measure = BAD_CHECKS[case][0] if case in BAD_CHECKS else "measure: {metric: capability, at: 2025Q1}"
    text = f"calibration:\n  planted:\n    figure: x\n    source: y\n    {measure}\n    range: {range_text}\n"
    return write_mod(root / f"bad-{case}", {"calibration.yaml": text}, format_version=2)


@pytest.mark.parametrize("case", sorted(BAD_CHECKS))
def test_planted_bad_check_gets_a_located_error(case: str, tmp_path: Path) -> None:
    _, path, needle = BAD_CHECKS[case]
    errors = inspect_ruleset(str(_bad_mod(tmp_path, case))).errors
    matches = assert_located(errors)
    assert any(m["path"] == f"calibration.planted.{path}" and needle in m["message"]
               and m["file"].endswith("calibration.yaml") and m["line"] == "5" for m in matches), errors


@pytest.mark.parametrize(("range_text", "needle"), [("[3, 2]", "low 3 is above high 2"), ("[1, .inf]", "finite"),
                                                    ("[1]", "at least 2")])
def test_bad_range_is_located(range_text: str, needle: str, tmp_path: Path) -> None:
    errors = inspect_ruleset(str(_bad_mod(tmp_path, "range", range_text))).errors
    assert any(m["path"].startswith("calibration.planted.range") and needle in m["message"] and m["line"] == "6"
               for m in assert_located(errors)), errors


def test_bad_ruleset_exits_2_with_one_located_line_per_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mod = _bad_mod(tmp_path, "metric", "[3, 2]")
    code, out, err = _run(["calibrate", "--ruleset", str(mod), "--seeds", "1"], capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2  # the bad metric and the reversed range, each on its own line
    for line in lines:
        assert line.startswith("techrace: error: ") and LOCATED.match(line.removeprefix("techrace: error: ")), line


@pytest.mark.parametrize(("measure", "path", "quarter"), [
    ("{metric: capability, at: 2036Q1}", "measure.at", "2036Q1"),
    ("{metric: capability, total: [2024Q4, 2025Q2]}", "measure.total.0", "2024Q4"),
    ("{metric: capability, growth_per_year: [2035Q1, 2036Q1]}", "measure.growth_per_year.1", "2036Q1"),
])
def test_a_quarter_outside_the_game_is_a_located_error_of_calibrate(measure: str, path: str, quarter: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    text = f"calibration:\n  planted:\n    figure: x\n    source: y\n    measure: {measure}\n    range: [1, 2]\n"
    mod = write_mod(tmp_path / "late", {"calibration.yaml": text}, format_version=2)
    code, out, err = _run(["calibrate", "--ruleset", str(mod), "--seeds", "1"], capsys)
    assert code == 2 and out == ""
    [line] = err.strip().splitlines()
    match = LOCATED.match(line.removeprefix("techrace: error: "))
    assert match and match["path"] == f"calibration.planted.{path}" and match["line"] == "5", line
    assert f"{quarter} is outside the game (2025Q1 to 2035Q4" in match["message"]
    with pytest.raises(RulesetError, match=f"calibration.planted.{re.escape(path)}: {quarter} is outside"):
        calibrate(load_ruleset(str(mod)), seeds=1)  # the Python API refuses it too


def test_a_mod_that_shortens_the_game_stays_valid_but_cannot_calibrate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mod = write_mod(tmp_path / "short", {"ruleset.yaml": "turns: 2\n"}, format_version=2)
    assert inspect_ruleset(str(mod)).errors == []  # playing a short game is fine
    code, _, err = _run(["calibrate", "--ruleset", str(mod), "--seeds", "1"], capsys)
    assert code == 2
    matches = assert_located([line.removeprefix("techrace: error: ") for line in err.strip().splitlines()])
    assert matches and all(m["layer"] == "baseline" and m["file"].endswith("calibration.yaml") for m in matches)
    assert all("outside the game (2025Q1 to 2025Q2, `turns: 2`)" in m["message"] for m in matches)


@pytest.mark.parametrize(("argv", "needle"), [
    (["--ruleset", "no-such-ruleset"], "unknown ruleset"),
    (["--seeds", "0"], "--seeds must be a whole number from 1"),
    (["--seeds", "5000"], "--seeds must be a whole number from 1"),
    (["--seeds", "two"], "invalid int value"),
    (["--out", "/no/such/dir/report.md"], "directory /no/such/dir does not exist"),
])
def test_bad_arguments_are_one_line_exit_2(argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(["calibrate", *argv]))
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=8),
                    st.sampled_from(["2025Q1", "2040Q1", "US", "XX", "all", "share", "capability", "ai_compute_h100e"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["figure", "source", "measure", "range", "metric", "nations", "reduce", "at",
                                     "growth_per_year", "total", "x"]), inner, max_size=5)), max_leaves=16)


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=values)
def test_any_calibration_section_loads_or_gets_located_errors(data: object) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        mod = write_mod(Path(tmp) / "mod", {}, format_version=2)
        (mod / "calibration.yaml").write_text(yaml.safe_dump({"calibration": {"fuzzed": data}}), encoding="utf-8")
        inspected = inspect_ruleset(str(mod))
        if inspected.errors:
            assert inspected.ruleset is None
            assert_located(inspected.errors)
        else:
            assert isinstance(inspected.ruleset, Ruleset)


def test_a_ruleset_without_checks_runs_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mod = write_mod(tmp_path / "none", {"calibration.yaml": "calibration: !remove\n"}, format_version=2)
    code, out, err = _run(["calibrate", "--ruleset", str(mod), "--seeds", "2"], capsys)
    assert code == 0 and "has no calibration checks" in err
    assert "0 checks: 0 ok, 0 out" in out and "0 quarters played" in out


# ------------------------------------------------------------------------------ what held the checks that are out


def test_held_reads_the_measured_nation_in_the_quarters_its_figure_moved() -> None:
    from techrace.core.calibration import _held

    bound = {q: {"US": {"HBM": 0.2}, "CN": {"Chips": 0.5}} for q in ("2025Q1", "2025Q2", "2025Q3")}
    growth = CalibrationMeasure(metric="ai_compute_h100e", nations="all", reduce="max", growth_per_year=["2025Q1", "2025Q3"])
    # the largest value at the window's end is the US's; the growth's base quarter (2025Q1) is left out
    assert _held(growth, GAME, bound, "2025Q1") == [("US", {"HBM": 0.2}), ("US", {"HBM": 0.2})]
    total = CalibrationMeasure(metric="ai_compute_h100e", nations=["CN"], reduce="sum", total=["2025Q1", "2025Q2"])
    assert _held(total, GAME, bound, "2025Q1") == [("CN", {"Chips": 0.5})] * 2  # a total's quarters all count
    late = CalibrationMeasure(metric="ai_compute_h100e", at="2026Q1")
    assert _held(late, GAME, bound, "2025Q1") == []  # a game that never got there tells nothing


def test_holds_are_means_over_quarters_and_seeds_most_binding_first() -> None:
    from techrace.core.calibration import Hold, _mean_holds

    held = [("US", {"HBM": 0.3, "Chips": 0.6, "Power": 0.0, "Talent": 0.0}),
            ("US", {"HBM": 0.1, "Chips": 0.2, "Power": 0.05, "Talent": 0.0})]
    assert _mean_holds(held) == (Hold("US", "Chips", pytest.approx(0.4)), Hold("US", "HBM", pytest.approx(0.2)),
                                 Hold("US", "Power", pytest.approx(0.025)))  # a constraint that never bound is left out
    assert _mean_holds([]) == ()


def test_the_report_names_the_constraints_that_bound_at_least_5_percent_at_most_four_a_nation() -> None:
    from types import SimpleNamespace

    from techrace.cli.calibrate_cmd import held_lines
    from techrace.core.calibration import Hold

    holds = [Hold("US", label, share) for label, share in
             (("Capital", 0.6), ("Chips", 0.4), ("HBM", 0.2), ("Power", 0.1), ("Tools", 0.06), ("Talent", 0.04))]
    faint = [Hold("CN", "Power", 0.01)]
    report = SimpleNamespace(out=[SimpleNamespace(check="c", held_by=(*holds, *faint))])
    assert held_lines(report) == ["c: US: Capital 60%, Chips 40%, HBM 20%, Power 10%"]
    report = SimpleNamespace(out=[SimpleNamespace(check="c", held_by=tuple(faint))])
    assert held_lines(report) == ["c: no constraint bound its nation (the drive itself differs from the sheet)"]


def test_an_out_check_says_what_held_its_nation(small_mod: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["calibrate", "--ruleset", str(small_mod), "--seeds", "2", "--out", str(tmp_path / "r.md")], capsys)
    assert code == 0
    held = out.split("What held the checks that are out", 1)[1].splitlines()
    assert any(line.strip().startswith("compute_impossible: ") for line in held)  # the one check that is out
    assert not any(line.strip().startswith(("compute_anything", "us_share")) for line in held)  # ok rows say nothing
    markdown = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "## What held the checks that are out" in markdown and "\n- compute_impossible: " in markdown


FRONTIER = """\
calibration: !replace
  frontier_run_growth:
    figure: Growth of the largest training run (x a year)
    source: §6f Epoch
    measure: {metric: largest_training_run_flop, nations: all, reduce: max, growth_per_year: [2025Q1, 2026Q1]}
    range: [4.0, 5.0]
"""
MORE_HBM = """\
foundries:
  SK_HYNIX: {sites: {SKH-KR: {hbm_tsv_wpm: 180000}}}
  SAMSUNG_MEMORY: {sites: {SAMM-KR: {hbm_tsv_wpm: 150000}}}
  MICRON: {sites: {MU-TW: {hbm_tsv_wpm: 36000}, MU-JP: {hbm_tsv_wpm: 9000}}}
"""


def test_hbm_holds_the_first_year_frontier_growth_and_more_lines_raise_it(tmp_path: Path) -> None:
    """The sheet has HBM sold out for 2025 (§5): the report names it as what held the US's frontier growth, and a
    world with three times the HBM lines grows its largest training run faster in that year."""
    tight = calibrate(load_ruleset(str(write_mod(tmp_path / "tight", {"calibration.yaml": FRONTIER}))), seeds=2).rows[0]
    loose_mod = write_mod(tmp_path / "loose", {"calibration.yaml": FRONTIER, "memory.yaml": MORE_HBM})
    loose = calibrate(load_ruleset(str(loose_mod)), seeds=2).rows[0]
    hbm = [h.binding for h in tight.held_by if h.nation == "US" and h.constraint == "HBM"]
    assert hbm and hbm[0] >= 0.1
    assert all(b > a * 1.1 for a, b in zip(tight.values, loose.values, strict=True))  # each seed, by more than 10%
    assert not [h for h in loose.held_by if h.constraint == "HBM" and h.binding >= hbm[0]]
