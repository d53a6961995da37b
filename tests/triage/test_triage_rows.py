"""The triage batch's bulk statements: many reports updated in a few statements, checked against their
versions; flags and audit events inserted the same way, stored exactly as a Core statement stores them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from triage_helpers import make_report

from pilah.queries import triage_rows as rows
from pilah.schema import AuditEvent, Report

AT = datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)


@pytest.fixture
def small_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    """Few enough bound values per statement that five reports take several statements."""
    monkeypatch.setattr(rows, "_MAX_BOUND_VALUES", 12)
    monkeypatch.setattr(rows._MultiRow, "_made", {})


def _reports(session: Session, make_post, count: int) -> list[Report]:
    with session.begin():
        made = [make_report(session, make_post(f"jalan rusak nomor {n}"), status="baru", version=1)
                for n in range(count)]
    return made


def _update(report: Report, n: int, *, version: int = 1) -> dict:
    return {"id": report.id, "expected_version": version, "category": "infrastruktur",
            "category_confidence": 0.5 + n / 100, "category_terms": ["jalan", f"lubang {n}"], "desa_code": None,
            "verify_due": AT, "status": "perlu_verifikasi", "version": version + 1}


def test_many_reports_are_updated_over_several_statements_as_a_core_update_stores_them(
        session: Session, make_post, small_statements) -> None:
    made = _reports(session, make_post, 5)
    with session.begin():
        rows.update_reports_checked(session, [_update(report, n) for n, report in enumerate(made)])
    session.expire_all()
    stored = session.scalars(select(Report).order_by(Report.id)).all()
    assert [(r.category, r.category_confidence, r.category_terms, r.desa_code, r.verify_due, r.status, r.version)
            for r in stored] == [("infrastruktur", 0.5 + n / 100, ["jalan", f"lubang {n}"], None, AT,
                                  "perlu_verifikasi", 2) for n in range(5)]


def test_a_report_at_another_version_fails_the_update(session: Session, make_post, small_statements) -> None:
    made = _reports(session, make_post, 3)
    with pytest.raises(StaleDataError, match="1 of 3 reports changed"), session.begin():
        rows.update_reports_checked(session, [_update(made[0], 0), _update(made[1], 1, version=7),
                                              _update(made[2], 2)])
    session.expire_all()
    assert {r.status for r in session.scalars(select(Report))} == {"baru"}


def test_rows_that_set_different_columns_are_refused(session: Session, make_post) -> None:
    made = _reports(session, make_post, 2)
    with pytest.raises(ValueError, match="same columns"):
        rows.update_reports_checked(session, [_update(made[0], 0), {"id": made[1].id, "expected_version": 1}])


def _event(n: int, **extra) -> dict:
    return {"at": AT, "actor": "pilah-triage", "entity_type": "report", "entity_id": str(n), "action": "transition",
            "from_status": "baru", "to_status": "perlu_verifikasi", "reason": f"alasan {n}",
            "details": {"flags": [f"kode_{n}"]}, **extra}


@pytest.mark.parametrize("defaulted", [False, True], ids=["every column", "time left to its default"])
def test_audit_events_are_inserted_as_a_core_insert_stores_them(session: Session, small_statements,
                                                                 defaulted: bool) -> None:
    events = [_event(n) for n in range(4)]
    if defaulted:  # the Core executemany fills in `at`
        for event in events:
            del event["at"]
    with session.begin():
        rows.insert_audit_events(session, events)
    stored = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.entity_id, e.reason, e.details) for e in stored] == [
        (str(n), f"alasan {n}", {"flags": [f"kode_{n}"]}) for n in range(4)]
    assert all((e.at != AT) if defaulted else (e.at == AT) for e in stored)


def test_rows_of_one_insert_must_carry_the_same_columns(session: Session) -> None:
    with pytest.raises(ValueError, match="same columns"):
        rows.insert_audit_events(session, [_event(1), {**_event(2), "details": None, "extra": 1}])
