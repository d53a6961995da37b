"""A polite stop: SIGTERM asks the running collectors to finish the page they hold, then stop.

The signal handler only sets a flag. `ingest.collectors.store_page` looks at it right after a
page's transaction commits, so a stop never lands mid-page (the page and its checkpoint are
committed together) and never waits for the rest of a run. The next run resumes from that
checkpoint like after a rate limit.
"""

from __future__ import annotations

import threading

from ingest.errors import IngestError
from ingest.records import IngestOutcome

_stop = threading.Event()
_reason = ["stop requested"]


class StopRequested(IngestError):
    """The process was asked to stop; raised after a page committed, carrying that page's counts."""

    code = "stop_requested"

    def __init__(self, reason: str, page: IngestOutcome | None = None) -> None:
        super().__init__(f"dihentikan setelah halaman tersimpan / stopped after the stored page: {reason}")
        self.page = page or IngestOutcome()


def request_stop(reason: str) -> None:
    """Safe from a signal handler: sets a flag, nothing else."""
    _reason[0] = reason
    _stop.set()


def stop_requested() -> bool:
    return _stop.is_set()


def wait_for_stop(timeout: float) -> bool:
    """Block until a stop is requested or `timeout` seconds pass; whether it was requested."""
    return _stop.wait(timeout)


def stop_reason() -> str:
    return _reason[0]


def reset() -> None:
    """For tests and long-lived processes that start collecting again after a stop."""
    _stop.clear()


def raise_if_stopping(page: IngestOutcome | None = None) -> None:
    if _stop.is_set():
        raise StopRequested(_reason[0], page)
