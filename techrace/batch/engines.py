"""Where runs execute: local processes (standard library) or a Dask distributed cluster.

Both hand the runner a `concurrent.futures.Executor` (Dask through `Client.get_executor()`), so one
runner serves both. Only the local engine can be rebuilt after a worker process dies; Dask reschedules
lost tasks itself.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from techrace.batch.worker import init_local_worker
from techrace.errors import TechraceError
from techrace.safe_text import printable

CONNECT_TIMEOUT_S = 20.0
# What the forkserver imports once, so that every worker it forks starts with a game's code loaded:
# `techrace.core` alone loads its names on first use (PEP 562), which left Mesa, pandas and the ruleset
# schema (~1.8 s of CPU) to each worker of each batch.
WORKER_PRELOAD = ("techrace.batch.worker", "techrace.core.game", "techrace.ruleset.overrides")


class EngineError(TechraceError):
    """An engine that cannot start (bad --workers, unreachable scheduler, missing extra)."""


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LocalEngine:
    """A pool of worker processes on this machine."""

    name = "local"
    can_rebuild = True

    drain_s = 60.0  # after Ctrl-C, each worker finishes the run it is playing: wait this long at most

    def __init__(self, workers: int | None = None):
        usable = default_workers()
        self.workers = usable if workers is None else workers
        self.notes: list[str] = []
        if self.workers < 1:
            raise EngineError(f"--workers must be at least 1, got {self.workers}")
        if self.workers > usable:  # more processes than cores only costs memory and switching
            self.notes.append(f"--workers {self.workers} is more than the {usable} usable "
                              f"core{'s' if usable != 1 else ''}; using {usable}")
            self.workers = usable
        self.executor: Executor = self._start()

    def _start(self) -> Executor:
        # forkserver: workers never inherit the parent's threads (progress bar), and the preloaded
        # server makes a rebuilt pool start in milliseconds. A main script that cannot be re-read
        # (`python - < script.py`) would kill every forkserver child at start, so fork there instead.
        init = {"initializer": init_local_worker, "initargs": (os.getpid(),)}
        if _main_is_unreadable():
            return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("fork"), **init)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(WORKER_PRELOAD))
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, **init)

    def interrupt(self) -> None:
        """Ask every worker to stop after its current run (they also get Ctrl-C from the terminal itself)."""
        for process in list((getattr(self.executor, "_processes", None) or {}).values()):
            try:
                os.kill(process.pid, signal.SIGINT)
            except (ProcessLookupError, AttributeError, TypeError):
                pass

    def rebuild(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._start()

    def close(self, cancel: bool = False) -> None:
        """Stop the pool; when cancelling (Ctrl-C, a failed write), end the workers too: what the chunks in
        flight finished was kept before this, and a worker left waiting would keep the batch from exiting."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
        if cancel:
            for process in processes:
                if process.is_alive():
                    process.terminate()

    def describe(self) -> str:
        return f"{self.workers} local worker process{'es' if self.workers != 1 else ''}"


class DaskEngine:
    """A Dask distributed cluster reached at a scheduler address (extra `techrace[distributed]`)."""

    name = "dask"
    can_rebuild = False
    drain_s = 0.0  # a Dask task cannot stop half way: Ctrl-C cancels the chunks in flight

    def __init__(self, address: str, timeout_s: float | None = None):
        from distributed import Client

        timeout = CONNECT_TIMEOUT_S if timeout_s is None else timeout_s
        check_scheduler(address, timeout)
        try:
            self.client: Any = Client(address, timeout=f"{timeout}s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise EngineError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        self.address = address
        self.notes: list[str] = []
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.executor: Executor = self.client.get_executor(pure=False)

    def interrupt(self) -> None:
        """Nothing to tell a Dask worker: its chunks in flight are cancelled when the engine closes."""

    def rebuild(self) -> None:  # pragma: no cover - never called: can_rebuild is False
        raise AssertionError("a Dask cluster is not rebuilt by techrace")

    def close(self, cancel: bool = False) -> None:
        self.executor.shutdown(wait=not cancel)
        self.client.close()

    def describe(self) -> str:
        return f"Dask cluster at {self.address} ({self.workers} worker threads)"


def check_engine_options(workers: int | None, scheduler: str | None, chunk_size: int | None) -> None:
    """Refuse engine options that cannot work before a batch directory is made (a refused --workers 0 left
    DIR holding an empty batch, so the corrected command was told to --resume it)."""
    from techrace.batch.plan import PlanError

    if chunk_size is not None and chunk_size < 1:
        raise PlanError(f"--chunk-size must be at least 1, got {chunk_size}")
    if workers is not None and workers < 1:
        raise EngineError(f"--workers must be at least 1, got {workers}")
    if scheduler:
        check_scheduler(scheduler)


def check_scheduler(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Refuse a scheduler address that is malformed or, for tcp://, not listening, before a batch directory is
    made and before a Dask Client exists: 'foo' raised a ValueError traceback, and a Client that failed to
    connect printed another one from its finaliser at exit."""
    import socket

    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:
        raise EngineError("--scheduler needs Dask: pip install 'techrace[distributed]'") from None
    try:
        scheme, location = parse_address(address, strict=False)  # host:port alone is tcp, as Dask reads it
        host, port = parse_host_port(location) if scheme in ("tcp", "tls") else (None, None)
    except ValueError:
        raise EngineError(f"--scheduler expects an address like tcp://HOST:8786, got {printable(address)!r}") from None
    if host is None:
        return
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        raise EngineError(f"cannot reach the Dask scheduler at {printable(address)}: {exc.strerror or exc}") from None


def make_engine(workers: int | None = None, scheduler: str | None = None) -> LocalEngine | DaskEngine:
    if scheduler:
        return DaskEngine(scheduler)
    return LocalEngine(workers)


def _main_is_unreadable() -> bool:
    """True when worker processes could not re-import `__main__` (a script piped on stdin)."""
    import sys

    main = sys.modules.get("__main__")
    if main is None or getattr(main, "__spec__", None) is not None:
        return False
    path = getattr(main, "__file__", None)
    return path is not None and not os.path.isfile(path)
