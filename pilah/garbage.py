"""How often Python's cyclic garbage collector runs while a long batch allocates.

Grouping a night's posts makes millions of small objects that live until their post leaves the
duplicate window, and reference counting frees nearly all of them; the collector finds little
cyclic garbage among them. At CPython's default pace (a young collection every 700 allocations)
its passes over the young objects, and the moves of the survivors into older generations, cost
the batch a quarter of its grouping time at half a million posts, more as the window fills.
Collecting the young generation every 10,000 allocations keeps the passes rare and small next to
that work; the older generations keep their default ratios, so cyclic garbage is still freed.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations (less deallocations) between two collections of the young generation during a batch.
BATCH_YOUNG_THRESHOLD = 10_000


@contextmanager
def fewer_collections(young: int = BATCH_YOUNG_THRESHOLD) -> Iterator[None]:
    """Run the block with the young generation collected every `young` allocations, then restore the pace."""
    before = gc.get_threshold()
    gc.set_threshold(young, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
