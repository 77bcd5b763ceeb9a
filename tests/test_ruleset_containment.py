"""User-given names cannot escape their folder: a ruleset's (or a strategy folder's) file that is a
symlink leading outside the folder is refused, located at the link, and nothing outside is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ruleset_support import write_mod

from techrace.launcher import main
from techrace.ruleset import inspect_ruleset
from techrace.ruleset.strategies import StrategyError, load_strategies

SECRET = "api_token: hunter2\n"
VALID_CONTROLS = "controls:\n  oct2023_chips:\n    tpp: 3000\n"


def _outside(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / "outside" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def test_a_symlink_to_a_secret_outside_the_ruleset_is_refused_at_the_link_without_reading_it(tmp_path, capsys):
    mod = write_mod(tmp_path / "rulesets" / "mod", {})
    (mod / "z.yaml").symlink_to(Path("../../outside/secret.yaml"))
    _outside(tmp_path, "secret.yaml", SECRET)
    assert main(["ruleset", "check", str(mod)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{mod}/z.yaml:1:1: (file): not read: a symlink leading outside its folder {mod} "
                                f"(to {tmp_path}/outside/secret.yaml); copy the file into the folder instead [layer mod]"]
    assert "api_token" not in out + err and "Traceback" not in err


def test_a_symlink_to_a_valid_file_elsewhere_is_refused_too(tmp_path):
    mod = write_mod(tmp_path / "mod", {})
    (mod / "controls.yaml").symlink_to(_outside(tmp_path, "controls.yaml", VALID_CONTROLS))
    errors = inspect_ruleset(str(mod)).errors
    assert len(errors) == 1 and errors[0].startswith(f"{mod}/controls.yaml:1:1: (file): not read: a symlink leading outside")


def test_symlinks_inside_the_folder_and_a_symlinked_folder_still_load(tmp_path):
    real = write_mod(tmp_path / "real", {"c.yaml": VALID_CONTROLS})
    (real / "shocks.yaml").write_text("", encoding="utf-8")
    (real / "e.yaml").symlink_to("shocks.yaml")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    inspected = inspect_ruleset(str(tmp_path / "link"))
    assert inspected.errors == [] and inspected.ruleset is not None
    assert inspected.ruleset.controls["oct2023_chips"].tpp == 3000


def test_extends_leaving_the_folders_is_still_refused_cleanly(tmp_path, capsys):
    mod = write_mod(tmp_path / "mod", {}, extends="../../../../etc")
    assert main(["ruleset", "check", str(mod)]) in (1, 2)
    out, err = capsys.readouterr()
    assert "extends" in out + err and "Traceback" not in err


def test_a_strategy_folder_refuses_symlinks_leading_out_of_it(tmp_path, capsys):
    folder = tmp_path / "mine"
    (folder / "probes").mkdir(parents=True)
    (folder / "z.yaml").symlink_to(_outside(tmp_path, "secret.yaml", SECRET))
    (folder / "probes" / "p.yaml").symlink_to(_outside(tmp_path, "probe.yaml", SECRET))
    with pytest.raises(StrategyError) as caught:
        load_strategies([folder], shipped=False)
    errors = caught.value.errors
    assert [line.split(": (file): ")[0] for line in errors] == [f"{folder}/z.yaml:1:1", f"{folder}/probes/p.yaml:1:1"]
    assert all("not read: a symlink leading outside its folder" in line for line in errors)
    assert not any("api_token" in line for line in errors)
