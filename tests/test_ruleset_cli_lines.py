"""A ruleset with several errors, given to `run` or `batch`: one `techrace: error:` line per error.

The launcher escapes control characters in user text; it once escaped the joined message, so the
newline between two errors became a visible `\\x0a` and every error landed on one line.
"""

from __future__ import annotations

import pytest
from test_ruleset_support import write_mod

from techrace.launcher import main

NATION_WITH_TWO_ERRORS = """
    nations:
      US:
        pay_index: .nan
        "vis\\ea_openness": 0.5
"""


@pytest.mark.parametrize("command", [["run", "--turns", "2"], ["batch", "--runs", "1", "--turns", "1"]])
def test_each_ruleset_error_is_its_own_line_with_control_characters_still_escaped(tmp_path, capsys, command):
    mod = write_mod(tmp_path / "mod", {"nations.yaml": NATION_WITH_TWO_ERRORS})
    extra = ["--out", str(tmp_path / "out")] if command[0] == "batch" else []
    code = main([*command, "--ruleset", str(mod), *extra])
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert code == 2
    assert "\\x0a" not in err and "\x1b" not in err
    assert len(lines) == 2 and all(line.startswith("techrace: error: ") for line in lines), err
    assert "nations.US.pay_index: expected a finite number, got .nan" in lines[0]
    assert "unknown key 'vis\\x1ba_openness'" in lines[1]
