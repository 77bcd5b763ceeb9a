"""A mistyped or dead `--scheduler` is one line, at once, and leaves no batch directory behind to --resume."""

from __future__ import annotations

import socket

import pytest

from techrace.launcher import main


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


@pytest.mark.parametrize(("address", "said"), [
    ("foo", "--scheduler expects an address like tcp://HOST:8786, got 'foo'"),
    ("tcp://somehost", "--scheduler expects an address like tcp://HOST:8786, got 'tcp://somehost'"),
    (None, "cannot reach the Dask scheduler at tcp://127.0.0.1:"),
])
def test_a_bad_scheduler_address_is_one_line_and_makes_no_batch(tmp_path, capsys, address, said):
    """'foo' gave a ValueError traceback (and a second one from Dask's Client finaliser); a refused connection
    waited 20 s, printed a finaliser traceback, and both left DIR holding an empty batch that a corrected
    command refused ('already holds a batch; use --resume')."""
    address = address or f"tcp://127.0.0.1:{_closed_port()}"
    out = tmp_path / "b"
    code = main(["batch", "--runs", "1", "--turns", "1", "--out", str(out), "--scheduler", address, "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and said in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
