"""Staff corrections: split a post out of a group, merge two groups, return a report as 'bukan wewenang'."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from triage_helpers import make_report, wib

from pilah.queries import reports
from pilah.schema import AuditEvent, Disposition, Label
from triage import flags as f
from triage.errors import IllegalTransition
from triage.groups import group_size, merge_groups, refresh_group_flags, split_from_group
from triage.rerouting import return_not_our_authority

NOW = wib(2026, 11, 23, 10)


@pytest.fixture
def two_groups(directory: Session, make_post):
    """Group A: a1 ← a2, a3; group B: b1 ← b2 (each member with its duplicate flag)."""
    session = directory
    with session.begin():
        a1, b1 = make_report(session, make_post("a1")), make_report(session, make_post("b1"))
        a2, a3 = (make_report(session, make_post(t), duplicate_of_id=a1.id, duplicate_kind="exact")
                  for t in ("a2", "a3"))
        b2 = make_report(session, make_post("b2"), duplicate_of_id=b1.id, duplicate_kind="near")
        for member in (a2, a3, b2):
            f.set_flag(session, member, f.DUPLICATE, "dup")
        refresh_group_flags(session, a1.id)
        refresh_group_flags(session, b1.id)
    return session, (a1, a2, a3, b1, b2)


def events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_split_a_member_out(two_groups) -> None:
    session, (a1, a2, _, _, _) = two_groups
    assert split_from_group(session, a2, actor="verifikator", reason="keluhan berbeda", at=NOW) == a1.id
    session.commit()
    assert (a2.duplicate_of_id, f.DUPLICATE in f.flag_codes(session, a2)) == (None, False)
    assert group_size(session, a1.id).reports == 2
    [event] = events(session, "group_split")
    assert (event.entity_id, event.actor, event.details) == (str(a2.id), "verifikator", {"group": a1.id})


def test_splitting_the_head_promotes_its_earliest_member(two_groups) -> None:
    session, (a1, a2, a3, _, _) = two_groups
    split_from_group(session, a1, actor="v", reason="beda", at=NOW)
    session.commit()
    assert (a1.duplicate_of_id, a2.duplicate_of_id, a3.duplicate_of_id) == (None, None, a2.id)
    assert f.DUPLICATE_GROUP not in f.flag_codes(session, a1)
    assert f.DUPLICATE_GROUP in f.flag_codes(session, a2)
    # Every report the split changed has its own audit event; the member's flag names its new head.
    assert [(e.entity_id, e.details) for e in events(session, "group_head")] == [(str(a2.id), {"previous_head": a1.id})]
    assert [(e.entity_id, e.details) for e in events(session, "group_moved")] == [
        (str(a3.id), {"from": a1.id, "to": a2.id})]
    assert f"#{a2.id}" in reports.flag(session, a3.id, f.DUPLICATE).reason


def test_merge_two_groups(two_groups) -> None:
    session, (a1, a2, a3, b1, b2) = two_groups
    size = merge_groups(session, a3, b2, actor="v", reason="jalan yang sama", at=NOW)
    session.commit()
    assert (size.reports, b1.duplicate_of_id, b1.duplicate_kind, b2.duplicate_of_id) == (5, a1.id, "staff_merge", a1.id)
    assert f.DUPLICATE_GROUP not in f.flag_codes(session, b1)
    assert events(session, "group_merge")[0].details == {"into": a1.id}
    assert [(e.entity_id, e.details) for e in events(session, "group_moved")] == [
        (str(b2.id), {"from": b1.id, "to": a1.id})]
    with pytest.raises(ValueError):
        merge_groups(session, a2, b1, actor="v", reason="lagi", at=NOW)


def test_bukan_wewenang_returns_the_report_to_kominfo(directory: Session, make_post, calendar) -> None:
    session = directory
    with session.begin():
        report = make_report(session, make_post("lampu jalan mati"), status="terdisposisi", opd_code="dpupr",
                             category="infrastruktur", masked_text="lampu jalan mati")
        session.add(Disposition(report_id=report.id, opd_code="dpupr", due_at=wib(2026, 11, 27), created_by="v"))
        f.set_flag(session, report, f.suggested_opd_code("dpupr"), "Usulan disposisi ke dpupr")
        f.set_flag(session, report, f.suggested_opd_code("dpupr-bm"), "a code the refused one is a prefix of")
    disposition = return_not_our_authority(session, report, actor="opd:dpupr", reason="PJU urusan Dishub",
                                           calendar=calendar, now=NOW)
    session.commit()
    assert f.flag_codes(session, report) == [f.suggested_opd_code("dpupr-bm")]  # no list suggests dpupr again
    assert (report.status, report.opd_code, disposition.delivery_state, disposition.returned_reason) == (
        "terverifikasi", None, "dikembalikan", "PJU urusan Dishub")
    assert report.verify_due == calendar.add_working_days(NOW, 3)
    label = session.scalars(select(Label)).one()
    assert (label.source, label.category, label.labeller) == ("bukan_wewenang", "infrastruktur", "opd:dpupr")
    [event] = [e for e in events(session, "transition") if e.entity_id == str(report.id)]
    assert (event.from_status, event.to_status, event.details) == ("terdisposisi", "terverifikasi",
                                                                   {"bukan_wewenang": "dpupr"})
    with pytest.raises(IllegalTransition):
        return_not_our_authority(session, report, actor="opd:dpupr", reason="lagi", calendar=calendar, now=NOW)


@pytest.mark.parametrize(("verified_under", "recorded"), [
    ([], None),  # no label to go by: as old as a label written before versions were recorded
    (["2026.1"], "2026.1"),
    (["2026.1", "2026.2"], "2026.2"),  # verified again after the upgrade: the newest label counts
])
def test_a_returned_reports_label_keeps_the_taxonomy_it_was_verified_under(
        directory: Session, make_post, calendar, verified_under: list[str], recorded: str | None) -> None:
    """The OPD refused the category a verifikator chose; nobody chose it again under the taxonomy of the day."""
    session = directory
    with session.begin():
        report = make_report(session, make_post("elpiji 3 kg langka"), status="terdisposisi", opd_code="dinsos",
                             category="sosial", masked_text="elpiji 3 kg langka")
        for day, version in enumerate(verified_under):
            session.add(Label(report_id=report.id, text="elpiji 3 kg langka", category="sosial",
                              source="verifikasi", labeller="v", created_at=wib(2026, 11, 2 + day, 9),
                              taxonomy_version=version))
        session.add(Disposition(report_id=report.id, opd_code="dinsos", due_at=wib(2026, 11, 27), created_by="v"))
    return_not_our_authority(session, report, actor="opd:dinsos", reason="elpiji urusan Disdagkop",
                             calendar=calendar, now=NOW)
    session.commit()
    returned = session.scalars(select(Label).where(Label.source == "bukan_wewenang")).one()
    assert returned.taxonomy_version == recorded


def test_reporters_are_accounts_per_channel(directory: Session, make_post) -> None:
    """The same account twice is one reporter; a post without an author (an SMS number withheld) is its own."""
    session = directory
    with session.begin():
        head = make_report(session, make_post("jalan rusak", author_id="warga-1"))
        for post in (make_post("jalan rusak", author_id="warga-1"), make_post("jalan rusak", author_id=""),
                     make_post("jalan rusak", channel="sms"), make_post("jalan rusak", channel="facebook",
                                                                         author_id="warga-1")):
            make_report(session, post, duplicate_of_id=head.id, duplicate_kind="exact")
        size = group_size(session, head.id)
    assert (size.reports, size.reporters) == (5, 4)
