"""The shell's composition of the layers: channel files → ingest → classify → triage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from classify.registry import active_model_dir
from classify.tagger import Tagger
from pilah.db import transaction
from pilah.settings import Settings
from triage.directory import sync_directory
from triage.pipeline import TriageSummary, run_triage
from triage.sla import WorkingCalendar


def load_tagger(settings: Settings) -> Tagger:
    return Tagger.load(active_model_dir(settings.models_dir), kabupaten=settings.kabupaten,
                       abstain_below=settings.abstain_below)


def load_calendar(settings: Settings) -> WorkingCalendar:
    return WorkingCalendar.load(settings.data_dir / "holidays", settings.zone)


def triage_new_posts(factory: sessionmaker[Session], settings: Settings, *, now: datetime,
                     progress: Callable[[int], None] | None = None) -> TriageSummary:
    """Classify and triage everything that arrived since the last run.

    The OPDs and routing rules of data/ are loaded first, as the nightly batch loads them (only
    entries whose file content changed), so a new database needs no batch before its first triage."""
    with transaction(factory) as session:
        sync_directory(session, settings.data_dir, editor="pilah-triage")
    return run_triage(factory, settings, load_tagger(settings), load_calendar(settings), now=now, progress=progress)
