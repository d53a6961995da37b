"""The collector registry and runner: disabled collectors, recorded runs, crashes recorded then raised."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import enabled_collectors, run_collector
from ingest.records import IngestOutcome
from pilah.schema import CollectorRun
from pilah.settings import Settings


class Exploding:
    source = "twitter"

    def __init__(self) -> None:
        self.closed = False

    def open(self) -> None:
        pass

    def collect(self, outcome: IngestOutcome) -> None:
        outcome.new += 3
        raise RuntimeError("disk full")

    def close(self) -> None:
        self.closed = True


def test_collectors_without_credentials_or_targets_are_disabled_with_reasons(factory) -> None:
    settings = Settings(fb_page_token="t", channels={"twitter": {"accounts": ["pemkablamsel"]}})
    ready, disabled = enabled_collectors(settings, factory)
    assert ready == [] and set(disabled) == {"twitter", "facebook", "facebook-sweep"}
    assert "PILAH_X_BEARER_TOKEN" in disabled["twitter"] and "[channels.facebook]" in disabled["facebook"]
    assert "[channels.facebook]" in disabled["facebook-sweep"]


def test_a_crash_is_recorded_with_partial_counts_then_raised(factory: sessionmaker[Session]) -> None:
    collector = Exploding()
    with pytest.raises(RuntimeError):
        run_collector(factory, collector)
    with factory() as session:
        run = session.scalars(select(CollectorRun)).one()
    assert collector.closed and run.new == 3 and run.error == "[crash] RuntimeError: disk full" and run.finished_at
