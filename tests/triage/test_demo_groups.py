"""On the bundled demo posts, triage finds every deliberate duplicate in data/demo/cases.toml and no false merge."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from triage_helpers import JAKARTA, wib

from ingest.files import import_tree
from pilah.schema import Post, Report
from triage.pipeline import run_triage


@pytest.fixture
def demo_groups(factory: sessionmaker[Session], directory: Session, data_dir: Path, triage_settings, fake_tagger,
                calendar) -> dict[str, int]:
    """source id → the id of its group's canonical report, after importing and triaging data/demo."""
    for _path, _outcome in import_tree(factory, data_dir / "demo", JAKARTA):
        pass
    run_triage(factory, triage_settings, fake_tagger, calendar, now=wib(2026, 11, 23, 7))
    with factory() as session:
        rows = session.execute(select(Post.source_id, Report.id, Report.duplicate_of_id)
                               .join(Report, Report.post_id == Post.id))
        return {source_id: canonical or report_id for source_id, report_id, canonical in rows}


@pytest.fixture(scope="module")
def cases(request: pytest.FixtureRequest) -> dict:
    return tomllib.loads((Path(request.config.rootpath) / "data" / "demo" / "cases.toml").read_text(encoding="utf-8"))


def pairs(cases: dict) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    same = [(c["id"], c["of"]) for c in cases["retweet"] + cases["quote"]]
    same += [(c["twitter"], c["facebook"]) for c in cases["cross_channel"]]
    same += [p for c in cases["same_sms_twice"] + cases["near_duplicate"] for p in itertools.combinations(c["ids"], 2)]
    apart = [tuple(c["ids"]) for c in cases["must_not_merge"]]
    return same, apart


def test_deliberate_duplicates_are_grouped_and_different_complaints_are_not(demo_groups: dict[str, int],
                                                                             cases: dict) -> None:
    same, apart = pairs(cases)
    stored = [(a, b) for a, b in same if a in demo_groups and b in demo_groups]  # some originals are not posts
    assert len(stored) >= len(same) - 2
    assert [(a, b) for a, b in stored if demo_groups[a] != demo_groups[b]] == []
    assert [(a, b) for a, b in apart if demo_groups[a] == demo_groups[b]] == []
