"""Split a batch into rounds of at most one entry per symbol, keeping each symbol's order.

Why: the rule engine, the tick validator and the bar builder keep per-symbol state in
arrays and update it with vectorised operations, which is only correct when no symbol
appears twice in one operation. A whole-market snapshot is one round; a busy single
symbol is one round per print.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rounds"]


def rounds(slots: np.ndarray) -> list[np.ndarray]:
    """Batch positions grouped so each round holds at most one entry per slot, in order."""
    n = len(slots)
    if n == 0:
        return []
    if (slots == slots[0]).all():  # one symbol: one entry per round
        return [np.array([i]) for i in range(n)]
    order = np.argsort(slots, kind="stable")
    sorted_slots = slots[order]
    first = np.r_[True, sorted_slots[1:] != sorted_slots[:-1]]
    starts = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n) - starts
    if rank.max() == 0:
        return [np.arange(n)]
    by_rank = np.argsort(rank, kind="stable")
    bounds = np.searchsorted(rank[by_rank], np.arange(rank.max() + 2))
    return [by_rank[bounds[r]:bounds[r + 1]] for r in range(rank.max() + 1)]
