"""Drive chunks of runs through an executor, survive dying workers, hand each finished chunk to a sink.

Written against `concurrent.futures.Executor`, so the same loop serves local processes and Dask. At
most a small window of chunks is in flight, which keeps memory flat however many runs a batch has.

When a worker process dies, `ProcessPoolExecutor` fails every pending future with `BrokenProcessPool`
and cannot be used again. The runs that were in flight become *suspects*: the pool is rebuilt and each
suspect is replayed alone, one at a time, so a crash can be pinned on one run; a run that kills its
worker twice on its own is set aside as failed and the batch goes on.

Ctrl-C is taken at a safe point of the loop (`deferred_interrupt`), never inside `concurrent.futures`.
"""

from __future__ import annotations

import itertools
import math
import signal
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import replace
from typing import Protocol

from techrace.batch.plan import RunSpec
from techrace.batch.worker import ChunkResult, ChunkTask, Failure, play_chunk

MAX_CHUNK = 50
CRASHES_TO_SET_ASIDE = 2
POLL_S = 0.2  # how often the loop looks for a Ctrl-C it deferred (a wait of this long costs nothing)


class Engine(Protocol):
    workers: int
    can_rebuild: bool
    executor: object
    drain_s: float

    def rebuild(self) -> None: ...

    def interrupt(self) -> None: ...


def chunk_size_for(total: int, workers: int) -> int:
    """About eight chunks per worker, 1 to 50 runs each: enough to balance, few enough to be cheap."""
    return max(1, min(MAX_CHUNK, math.ceil(total / (workers * 8))))


def chunked(specs: Iterable[RunSpec], size: int) -> Iterator[tuple[RunSpec, ...]]:
    """Chunks made as they are needed, so a batch of a million runs never lists them all."""
    iterator = iter(specs)
    while chunk := tuple(itertools.islice(iterator, size)):
        yield chunk


def run_chunks(
    specs: Iterable[RunSpec],
    count: int,
    template: ChunkTask,
    engine: Engine,
    on_result: Callable[[ChunkResult], None],
    chunk_size: int | None = None,
) -> None:
    """Play every spec (`count` of them); each finished chunk (rows, done runs, failures) goes to `on_result`."""
    size = chunk_size or chunk_size_for(count, engine.workers)
    pending = chunked(specs, size)
    suspects: deque[RunSpec] = deque()
    crashes: Counter[int] = Counter()
    in_flight: dict[Future[ChunkResult], tuple[RunSpec, ...]] = {}
    window = max(2, engine.workers * 2)

    def submit(chunk: tuple[RunSpec, ...]) -> None:
        in_flight[engine.executor.submit(play_chunk, replace(template, runs=chunk))] = chunk  # type: ignore[attr-defined]

    with deferred_interrupt() as asked:
        try:
            _loop(pending, suspects, crashes, in_flight, submit, window, engine, on_result, asked)
        except KeyboardInterrupt:
            _drain(in_flight, engine, on_result)
            raise


@contextmanager
def deferred_interrupt() -> Iterator[threading.Event]:
    """While chunks are in flight the first Ctrl-C only sets the event the loop reads between waits; a second one
    interrupts at once. A KeyboardInterrupt landing inside `concurrent.futures.wait` can leave a future's lock held
    (raised in `_AcquireFutures.__enter__`, its `__exit__` never runs); the pool's manager thread then blocks on it
    for good and the batch hangs at exit instead of stopping. Only the main thread's default handler is replaced
    (a notebook's or a caller's own handler is left alone, and the loop then stops as before)."""
    asked = threading.Event()
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield asked
        return

    def first_ctrl_c(_signum: int, _frame: object) -> None:
        asked.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, first_ctrl_c)
    try:
        yield asked
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def _loop(pending: Iterator[tuple[RunSpec, ...]], suspects: deque[RunSpec], crashes: Counter[int],
          in_flight: dict[Future[ChunkResult], tuple[RunSpec, ...]], submit: Callable[[tuple[RunSpec, ...]], None],
          window: int, engine: Engine, on_result: Callable[[ChunkResult], None], asked: threading.Event) -> None:
    while True:
        if asked.is_set():  # Ctrl-C, taken here rather than wherever it landed
            raise KeyboardInterrupt
        if suspects:
            if not in_flight:  # a suspect plays alone, so a crash is its own
                submit((suspects.popleft(),))
        else:
            while len(in_flight) < window and (chunk := next(pending, None)) is not None:
                submit(chunk)
        if not in_flight:  # no suspect left and nothing pending
            return
        finished, _ = wait(list(in_flight), timeout=POLL_S, return_when=FIRST_COMPLETED)
        for future in sorted(finished, key=lambda f: in_flight[f][0].run):
            chunk = in_flight.pop(future)
            error = future.exception()
            if error is None:
                result = future.result()
                on_result(result)
                if result.stopped:  # a worker was interrupted (Ctrl-C reached it first): stop the batch
                    raise KeyboardInterrupt
            elif isinstance(error, BrokenProcessPool) and engine.can_rebuild:
                wait(list(in_flight))  # the broken pool settles every future: finished or lost
                lost = [chunk]
                for other, other_chunk in sorted(in_flight.items(), key=lambda item: item[1][0].run):
                    if not other.cancelled() and other.exception() is None:
                        on_result(other.result())
                    else:
                        lost.append(other_chunk)
                in_flight.clear()
                _blame(lost, suspects, crashes, on_result, "its worker process died")
                engine.rebuild()
                break
            else:  # a task the engine could not run (e.g. a Dask worker lost twice): isolate, then record
                _blame([chunk], suspects, crashes, on_result, f"{type(error).__name__}: {error}")


def _drain(in_flight: dict[Future[ChunkResult], tuple[RunSpec, ...]], engine: Engine,
           on_result: Callable[[ChunkResult], None]) -> None:
    """Ctrl-C: workers stop after their current run; keep what the chunks in flight finished."""
    engine.interrupt()
    if not in_flight or engine.drain_s <= 0:
        return
    finished, _ = wait(list(in_flight), timeout=engine.drain_s)
    for future in sorted(finished, key=lambda f: in_flight[f][0].run):
        if not future.cancelled() and future.exception() is None:
            on_result(future.result())
    in_flight.clear()


def _blame(
    lost: list[tuple[RunSpec, ...]],
    suspects: deque[RunSpec],
    crashes: Counter[int],
    on_result: Callable[[ChunkResult], None],
    reason: str,
) -> None:
    """Runs lost with a dead worker: a run lost alone counts a crash; others are replayed alone."""
    for chunk in lost:
        if len(chunk) > 1:
            suspects.extend(chunk)
            continue
        spec = chunk[0]
        crashes[spec.run] += 1
        if crashes[spec.run] >= CRASHES_TO_SET_ASIDE:
            failure = Failure(spec.run, spec.seed, f"set aside: {reason} each time it was played", dict(spec.params))
            on_result(ChunkResult(None, [], [failure]))
        else:
            suspects.append(spec)
