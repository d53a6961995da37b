"""Classification in worker processes, so a large nightly batch uses the machine's other cores.

Classifying is pure and the same in any process; grouping duplicates and writing are not (they
follow the order of the posts and hold the write lock). So the batch's own process groups and
writes batch k while a worker classifies batch k+1 (see `triage.pipeline.TaggingAhead`). Each
worker loads the model version that was active when the batch started, through the same checked
loader as the batch itself.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType

from classify.registry import active_model_dir
from classify.tagger import Tagger
from pilah.pipeline import load_tagger
from pilah.settings import Settings
from triage.pipeline import Classified, classify_batch

_worker_tagger: Tagger | None = None


def _load_in_worker(model_dir: Path, kabupaten: str, abstain_below: float) -> None:
    global _worker_tagger
    threading.Thread(target=exit_when_orphaned, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    _worker_tagger = Tagger.load(model_dir, kabupaten=kabupaten, abstain_below=abstain_below)


def exit_when_orphaned(parent: int, *, interval: float = 2.0, getppid: Callable[[], int] = os.getppid,
                       wait: Callable[[float], object] | None = None,
                       leave: Callable[[int], object] = os._exit) -> None:
    """End the worker once the batch that started it is gone. A batch killed by cron's timeout or SIGKILL
    never shuts its pool down, and its workers, waiting on a queue nobody will close, would each keep a
    model's worth of memory until the server restarts."""
    pause = wait or threading.Event().wait
    while getppid() == parent:
        pause(interval)
    leave(1)


def _classify_in_worker(texts: list[str], geo_hints: list[str | None]) -> Classified:
    assert _worker_tagger is not None, "the pool's initializer loads the tagger"
    return classify_batch(_worker_tagger, texts, geo_hints)


class TaggingPool:
    """`workers` processes that classify batches ahead (a `triage.pipeline.TaggingAhead`)."""

    def __init__(self, settings: Settings, workers: int) -> None:
        model_dir = active_model_dir(settings.models_dir)
        self.model_version = model_dir.name
        # spawn, not fork: the batch process holds database connections a forked child must not share.
        self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                             initializer=_load_in_worker,
                                             initargs=(model_dir, settings.kabupaten, settings.abstain_below))

    def submit(self, texts: Sequence[str], geo_hints: Sequence[str | None]) -> Future[Classified]:
        return self._executor.submit(_classify_in_worker, list(texts), list(geo_hints))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class BatchTagger:
    """How the batch classifies: in its own process for a small night, with a TaggingPool for a large one.

    Starting a worker costs a few seconds (imports and the model), which only pays off over many reports.
    """

    def __init__(self, settings: Settings, workers: int, min_reports: int) -> None:
        self.settings, self.workers, self.min_reports = settings, workers, min_reports
        self.pool: TaggingPool | None = None

    def __call__(self, pending: int) -> Tagger | TaggingPool:
        if self.workers > 0 and pending >= self.min_reports:
            self.pool = TaggingPool(self.settings, self.workers)
            return self.pool
        return load_tagger(self.settings)

    def __enter__(self) -> BatchTagger:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.close()
