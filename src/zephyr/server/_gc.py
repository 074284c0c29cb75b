"""The cycle collector's settings while a server owns its process.

Why: CPython's full collection walks every tracked object that is alive, with
the event loop stopped. With 10,000 keep-alive connections open (about 35
tracked objects each) a full collection took 200-280 ms of CPU, and under the
interpreter's default thresholds it ran every 1-2 s: objects of requests in
flight (alive for their 100 ms of awaited I/O) kept being promoted to the
oldest generation, which is what triggers the full collections. Every request
arriving meanwhile waited, which is the p99 tail of
``python -m benchmarks connections``.

The policy, applied once start-up is complete (:func:`tune`):

* ``gc.freeze()`` after one full collection: what start-up created (modules,
  the app, its compiled routes and Pydantic schemas) is kept out of every
  later collection. It is not garbage and, in a pre-forked worker, it is not
  written to again by the collector (its pages stay shared with the parent).
* The middle and oldest generations are collected less often
  (:data:`THRESHOLD_1`, :data:`THRESHOLD_2`): a request's objects are mostly
  freed by reference counting before a middle-generation collection can
  promote them, so full collections become rare. The youngest generation's
  threshold (the one that bounds each young collection's pause) is left as it
  is.

Cyclic garbage still gets collected; it may wait longer for it (a full
collection now runs at most once per ``700 * 100 * 100`` allocations net of
frees, and only when the oldest generation grew by a quarter).
``Config.gc_tuning=False`` / ``--no-gc-tuning`` leaves the interpreter's
settings alone.
"""

from __future__ import annotations

import gc
from typing import Final

__all__ = ["THRESHOLD_1", "THRESHOLD_2", "tune"]

THRESHOLD_1: Final = 100
"""Young collections between two middle-generation ones (CPython's default: 10)."""
THRESHOLD_2: Final = 100
"""Middle-generation collections between two full ones, at least (default: 10)."""


def tune() -> None:
    """Freeze what start-up made, then collect the older generations less often.

    Called once per server process, after the lifespan start-up and before
    the first connection is accepted.
    """
    gc.collect()
    gc.freeze()
    threshold_0, _, _ = gc.get_threshold()
    gc.set_threshold(threshold_0, THRESHOLD_1, THRESHOLD_2)
