"""Layering and determinism rules that hold for the whole code base."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = [ROOT / "techrace" / "core", ROOT / "techrace" / "ruleset", ROOT / "techrace" / "saves"]


def test_import_contracts_are_kept() -> None:
    """The core never imports a face or a face library; faces never import each other (import-linter)."""
    result = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1] or " 0 broken" in result.stdout


def test_core_uses_no_global_random_no_clock_no_eval() -> None:
    banned = re.compile(r"^\s*(import random|from random import)|time\.time\(|datetime\.now|\beval\(|\bexec\(|pickle\.load|yaml\.load\(",
                        re.MULTILINE)
    offenders = [str(p.relative_to(ROOT)) for base in CORE if base.exists() for p in base.rglob("*.py")
                 if banned.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_core_modules_stay_small() -> None:
    long = [f"{p.relative_to(ROOT)}: {n}" for p in (ROOT / "techrace" / "core").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400]
    assert long == []


def test_the_shipped_rulesets_travel_with_the_package() -> None:
    """`techrace/shipped_rulesets` links to the top-level rulesets/ so a plain wheel carries them."""
    link = ROOT / "techrace" / "shipped_rulesets"
    assert link.is_symlink() and link.resolve() == (ROOT / "rulesets").resolve()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "shipped_rulesets/*/*.yaml" in data["tool"]["setuptools"]["package-data"]["techrace"]
