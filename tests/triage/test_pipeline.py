"""The automatic triage run: flags, suggestions, deadlines, queueing; idempotent and interruptible."""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError
from triage_helpers import FakeTagger, wib

from pilah.schema import AuditEvent, Post, Report, ReportFlag
from triage import flags as f
from triage.pipeline import ACTOR, classify_batch, run_triage
from triage.sla import WorkingCalendar

NOW = wib(2026, 11, 23, 7)
TEXTS = [
    ("jalan di jati agung rusak parah banyak lubang", "twitter", "1"),
    ("halo min", "twitter", "2"),
    ("sampah numpuk di pasar natar sudah seminggu", "sms", "sms:1"),
    ("sampah numpuk di pasar natar sudah seminggu", "sms", "sms:2"),
    ("ktp saya belum jadi, nik 1801042300000071, tolong dibantu", "sms", "sms:3"),
    ("banjir di kota bandar lampung tidak surut surut", "facebook", "1_1"),
    ("balap liar di lintas natar tiap malam minggu", "twitter", "3"),
    ("pelayanan kantor lambat sekali tolong diperbaiki", "twitter", "4"),
]


@pytest.fixture
def posts(make_post) -> list[Post]:
    return [make_post(text, channel=channel, source_id=sid, author_id=f"u{i}", created_at=wib(2026, 11, 20, 8 + i))
            for i, (text, channel, sid) in enumerate(TEXTS)]


def snapshot(factory: sessionmaker[Session]) -> dict[str, Any]:
    """Everything triage writes, in a comparable form."""
    with factory() as session:
        rows = session.scalars(select(Report).order_by(Report.id))
        reports = [(r.post_id, r.status, r.version, r.category, r.kecamatan_code, r.duplicate_of_id, r.duplicate_kind,
                    r.verify_due, r.text_hash, r.masked_text) for r in rows]
        flags = [(x.report_id, x.code, x.reason) for x in session.scalars(select(ReportFlag).order_by(ReportFlag.id))]
        events = [(e.entity_id, e.from_status, e.to_status, e.reason)
                  for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report"))]
    return {"reports": reports, "flags": flags, "events": events}


def flags_by_source(factory: sessionmaker[Session]) -> dict[str, set[str]]:
    with factory() as session:
        rows = session.execute(select(Post.source_id, ReportFlag.code).join(Report, Report.post_id == Post.id)
                               .join(ReportFlag, ReportFlag.report_id == Report.id))
        found: dict[str, set[str]] = {}
        for source_id, code in rows:
            found.setdefault(source_id, set()).add(code)
        return found


def test_run_flags_suggests_and_queues(factory, directory, posts, triage_settings, fake_tagger, calendar) -> None:
    summary = run_triage(factory, triage_settings, fake_tagger, calendar, now=NOW)
    flags = flags_by_source(factory)
    assert (summary.intake, summary.queued, summary.duplicates, summary.unclear) == (8, 8, 1, 1)
    assert flags["1"] == {"suggested_opd:dpupr"}
    assert flags["2"] == {"unclear:greeting_only"}
    assert flags["sms:1"] == {"suggested_opd:dlh", "duplicate_group"}
    assert flags["sms:2"] == {"duplicate"}
    assert flags["sms:3"] == {"pii", "no_location", "suggested_opd:disdukcapil"}
    assert flags["1_1"] == {"outside_kabupaten", "low_confidence"}
    assert flags["3"] == {"suggested_opd:kec-natar"}               # ketertiban in Natar: the kecamatan office
    assert flags["4"] == {"low_confidence", "no_location", "suggested_opd:diskominfo"}


def test_an_unclear_report_keeps_the_models_guess_beside_its_empty_category(factory, directory, posts,
                                                                            triage_settings, fake_tagger,
                                                                            calendar) -> None:
    run_triage(factory, triage_settings, fake_tagger, calendar, now=NOW)
    with factory() as session:
        rows = session.execute(select(Post.source_id, Report.category, Report.category_guess)
                               .join(Report, Report.post_id == Post.id)).all()
    guesses = {source_id: (category, guess) for source_id, category, guess in rows}
    assert guesses["2"] == (None, "sosial")                   # "halo min": unclear, neither routed nor counted
    assert guesses["1"] == ("infrastruktur", "infrastruktur")


def test_every_report_is_queued_with_an_audit_event_and_deadline(factory, directory, posts, triage_settings,
                                                                 fake_tagger, calendar: WorkingCalendar) -> None:
    run_triage(factory, triage_settings, fake_tagger, calendar, now=NOW)
    with factory() as session:
        reports = session.scalars(select(Report)).all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report")).all()
        friday_post = session.get(Post, reports[0].post_id)
    assert {r.status for r in reports} == {"perlu_verifikasi"}
    assert len(events) == len(reports)
    assert {(e.actor, e.from_status, e.to_status) for e in events} == {(ACTOR, "baru", "perlu_verifikasi")}
    assert reports[0].verify_due == calendar.add_working_days(friday_post.created_at, 3)
    assert all(r.masked_text for r in reports) and "[NIK]" in reports[4].masked_text
    assert {r.model_version for r in reports} == {"fake-1"}


def test_a_second_run_changes_nothing(factory, directory, posts, triage_settings, fake_tagger, calendar) -> None:
    run_triage(factory, triage_settings, fake_tagger, calendar, now=NOW)
    before = snapshot(factory)
    again = run_triage(factory, triage_settings, fake_tagger, calendar, now=wib(2026, 11, 24, 7))
    assert snapshot(factory) == before
    assert again.intake == again.queued == 0
    assert fake_tagger.calls == 1


class FailingTagger(FakeTagger):
    """Fails on its second batch, like a process killed half-way."""

    def tag_many(self, texts, geo_hints=None):
        if self.calls == 1:
            self.calls += 1
            raise RuntimeError("interrupted")
        return super().tag_many(texts, geo_hints)


def test_an_interrupted_run_resumes_to_the_same_result(factory, engine, directory, posts, triage_settings,
                                                       calendar) -> None:
    with pytest.raises(RuntimeError, match="interrupted"):
        run_triage(factory, triage_settings, FailingTagger(), calendar, now=NOW, batch_size=3)
    with factory() as session:
        assert len(session.scalars(select(Report).where(Report.status == "perlu_verifikasi")).all()) == 3
    run_triage(factory, triage_settings, FakeTagger(), calendar, now=NOW, batch_size=3)
    resumed = snapshot(factory)
    assert [r[1] for r in resumed["reports"]] == ["perlu_verifikasi"] * len(TEXTS)
    assert len(resumed["events"]) == len(TEXTS)
    assert sum(1 for r in resumed["reports"] if r[5] is not None) == 1


def test_new_posts_after_a_run_are_picked_up(factory, directory, posts, make_post, triage_settings, fake_tagger,
                                             calendar) -> None:
    run_triage(factory, triage_settings, fake_tagger, calendar, now=NOW)
    make_post("sampah numpuk di pasar natar sudah seminggu", channel="sms", source_id="sms:9", created_at=NOW)
    summary = run_triage(factory, triage_settings, fake_tagger, calendar, now=NOW)
    assert (summary.intake, summary.duplicates) == (1, 1)
    with factory() as session:
        group = session.scalars(select(ReportFlag).where(ReportFlag.code == f.DUPLICATE_GROUP)).one()
    assert group.reason == "Grup duplikat: 3 laporan dari 3 pelapor"


class MeddlingTagger(FakeTagger):
    """Tags like FakeTagger, ahead of the batch; when a batch whose versions were already read asks for its
    taggings, someone else saves its first report: the first batch only, or every batch of every run."""

    def __init__(self, factory: sessionmaker[Session], *, always: bool = False) -> None:
        super().__init__()
        self.factory, self.always = factory, always

    def submit(self, texts, geo_hints) -> Future:
        answer = _MeddlingAnswer(self.factory if self.calls == 0 or self.always else None)
        answer.set_result(classify_batch(self, texts, geo_hints))
        return answer


class _MeddlingAnswer(Future):
    def __init__(self, factory: sessionmaker[Session] | None) -> None:
        super().__init__()
        self.factory = factory

    def result(self, timeout=None):
        if self.factory is not None:
            with self.factory.begin() as other:
                report = other.scalars(select(Report).where(Report.status == "baru").order_by(Report.id)).first()
                report.masked_text = f"disunting orang lain (versi {report.version})"  # a new value each time
            self.factory = None
        return super().result(timeout)


def test_a_batch_whose_report_someone_else_saved_is_rolled_back_and_decided_again(
        factory, directory, posts, triage_settings, calendar) -> None:
    summary = run_triage(factory, triage_settings, MeddlingTagger(factory), calendar, now=NOW, batch_size=3)
    with factory() as session:
        first, *rest = session.scalars(select(Report).order_by(Report.id))
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report")).all()
    assert (first.status, first.version, first.masked_text) == ("perlu_verifikasi", 3, TEXTS[0][0])
    assert {r.status for r in rest} == {"perlu_verifikasi"}
    assert sorted(int(e.entity_id) for e in events) == sorted(r.id for r in [first, *rest])  # one each, none twice
    assert (summary.classified, summary.queued) == (len(TEXTS), len(TEXTS))  # the rolled-back batch counted once


def test_a_run_whose_batches_keep_being_saved_by_others_gives_up_with_nothing_half_done(
        factory, directory, posts, triage_settings, calendar) -> None:
    with pytest.raises(StaleDataError):
        run_triage(factory, triage_settings, MeddlingTagger(factory, always=True), calendar, now=NOW, batch_size=3)
    with factory() as session:
        assert {r.status for r in session.scalars(select(Report))} == {"baru"}
        assert session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report")).all() == []
        assert session.scalars(select(ReportFlag)).all() == []
    run_triage(factory, triage_settings, FakeTagger(), calendar, now=NOW, batch_size=3)
    assert [r[1] for r in snapshot(factory)["reports"]] == ["perlu_verifikasi"] * len(TEXTS)


class EditingBeforeTheBatchTagger(FakeTagger):
    """Tags like FakeTagger, ahead of the batch; while the first batch is being classified (before its
    transaction starts), someone edits one of its reports and another run takes a second one."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        super().__init__()
        self.factory = factory

    def submit(self, texts, geo_hints) -> Future:
        if self.calls == 0:
            with self.factory.begin() as other:
                first, second = other.scalars(select(Report).order_by(Report.id).limit(2))
                first.masked_text = "disunting sebelum batch"
                second.status = "perlu_verifikasi"
        answer = Future()
        answer.set_result(classify_batch(self, texts, geo_hints))
        return answer


def test_reports_changed_while_their_batch_was_classified_are_read_again_or_left(
        factory, directory, posts, triage_settings, calendar) -> None:
    run_triage(factory, triage_settings, EditingBeforeTheBatchTagger(factory), calendar, now=NOW, batch_size=3)
    with factory() as session:
        first, second, *rest = session.scalars(select(Report).order_by(Report.id))
        taken_events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                                AuditEvent.entity_id == str(second.id))).all()
    assert (first.status, first.version, first.masked_text) == ("perlu_verifikasi", 3, TEXTS[0][0])
    assert (second.version, taken_events) == (2, [])  # the other run's edit, untouched by this one
    assert {r.status for r in rest} == {"perlu_verifikasi"}
