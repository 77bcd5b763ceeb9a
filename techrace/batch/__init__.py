"""The batch face: Monte Carlo batches, sweeps, sensitivity analysis and ruleset comparison.

`run_batch` and `load_results` are the notebook API (see techrace.batch.api); they are imported
lazily so that registering the `batch` command costs nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BatchResult", "load_results", "run_batch"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from techrace.batch import api

        return getattr(api, name)
    raise AttributeError(name)
