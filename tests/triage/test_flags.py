"""FlagPlan: a report's flags set and cleared in memory, written as row changes like set_flag/clear_flags."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from triage_helpers import make_report

from pilah.queries import reports as q
from pilah.queries import triage_rows as rows
from pilah.queries.triage_rows import FlagRow
from triage import flags as f

AT = datetime(2026, 3, 2, tzinfo=UTC)


def test_a_flag_cleared_and_set_again_is_updated_in_place(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"))
        f.set_flag(session, report, f.LOW_CONFIDENCE, "lama", source="model")
        f.set_flag(session, report, f.NO_LOCATION, "lama", source="model")
        f.set_flag(session, report, f.suggested_opd_code("dpupr"), "usulan")
    original_id = q.flag(session, report.id, f.LOW_CONFIDENCE).id
    session.commit()
    with session.begin():
        plan = f.FlagPlan(rows.flag_rows_of_reports(session, [report.id])[report.id])
        plan.clear(source="model")
        plan.set(f.LOW_CONFIDENCE, "baru", source="model")
        plan.clear(prefix=f.SUGGESTED_OPD_PREFIX)
        plan.set(f.PII, "data pribadi")
        f.write_flag_plans(session, {report.id: plan}, created_at=AT)
    session.expire_all()
    assert f.flag_codes(session, report) == [f.LOW_CONFIDENCE, f.PII]
    kept = q.flag(session, report.id, f.LOW_CONFIDENCE)
    assert (kept.id, kept.reason) == (original_id, "baru")
    session.commit()


def test_a_plan_without_changes_writes_nothing() -> None:
    plan = f.FlagPlan({f.PII: FlagRow(7, "data pribadi", "model")})
    plan.clear(source="model")
    plan.set(f.PII, "data pribadi", source="model")
    assert plan.changes() == ([], [], [])


def test_changes_name_inserts_updates_and_deletes() -> None:
    plan = f.FlagPlan({f.PII: FlagRow(7, "lama", "model"), f.NO_LOCATION: FlagRow(8, "x", "model"),
                       f.DUPLICATE: FlagRow(9, "dup", "rule")})
    plan.clear(source="model")
    plan.set(f.PII, "baru", source="model")
    plan.set(f.LOW_CONFIDENCE, "rendah", source="model")
    assert plan.changes() == ([(f.LOW_CONFIDENCE, "rendah", "model")], [(7, "baru", "model")], [8])
