"""The parameter columns an analyst merges on: the same value and type in the rows and in `_runs.parquet`."""

from __future__ import annotations

import pandas as pd

from techrace.batch.plan import parse_value
from techrace.launcher import main

TPP = "controls.oct2023_chips.tpp"


def test_a_sweep_written_in_exponent_notation_plays_and_records_numbers(tmp_path, capsys):
    """`--sweep tpp=1e3,4800` played (the schema read '1e3' as 1000) and then died with a pyarrow traceback
    writing `_runs.parquet`: YAML 1.1 keeps 1e3 as text, so the column mixed text and a number."""
    out = tmp_path / "b"
    code = main(["batch", "--runs", "1", "--turns", "1", "--sweep", f"{TPP}=1e3,4800", "--out", str(out),
                 "--workers", "1", "--no-progress"])
    assert code == 0, capsys.readouterr().err
    runs = pd.read_parquet(out / "_runs.parquet")
    rows = pd.read_parquet(out)
    assert runs[TPP].tolist() == [1000.0, 4800.0] and runs[TPP].dtype == "float64"
    assert sorted(rows[TPP].unique()) == [1000.0, 4800.0] and rows[TPP].dtype == "float64"


def test_integer_sweep_values_have_one_type_in_rows_and_runs(tmp_path):
    """A sweep of integers came out int64 in `_runs.parquet` beside float64 in the rows."""
    out = tmp_path / "b"
    assert main(["batch", "--runs", "1", "--turns", "1", "--sweep", f"{TPP}=2400,4800", "--out", str(out),
                 "--workers", "1", "--no-progress"]) == 0
    runs, rows = pd.read_parquet(out / "_runs.parquet"), pd.read_parquet(out)
    assert runs[TPP].dtype == rows[TPP].dtype == "float64"
    merged = rows.merge(runs[["run", TPP, "winner"]], on=["run", TPP])
    assert len(merged) == len(rows)


def test_values_read_as_yaml_and_exponents_as_numbers():
    assert parse_value("2400") == 2400 and parse_value("0.1") == 0.1 and parse_value("true") is True
    assert parse_value("1e3") == 1000.0 and parse_value("-2.5E-2") == -0.025 and parse_value("2027Q3") == "2027Q3"
    assert parse_value("default") == "default"
