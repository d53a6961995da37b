"""FlagSet: a report's flags set and cleared in memory, written at the next flush like set_flag/clear_flags."""

from __future__ import annotations

from sqlalchemy.orm import Session
from triage_helpers import make_report

from pilah.queries import reports as q
from triage import flags as f


def test_a_flag_cleared_and_set_again_is_updated_in_place(session: Session, make_post) -> None:
    with session.begin():
        report = make_report(session, make_post("jalan rusak di natar"))
        f.set_flag(session, report, f.LOW_CONFIDENCE, "lama", source="model")
        f.set_flag(session, report, f.NO_LOCATION, "lama", source="model")
        f.set_flag(session, report, f.suggested_opd_code("dpupr"), "usulan")
    original_id = q.flag(session, report.id, f.LOW_CONFIDENCE).id
    session.commit()
    with session.begin():
        flags = f.FlagSet(session, report, q.flags_of_reports(session, [report.id])[report.id])
        flags.clear(source="model")
        flags.set(f.LOW_CONFIDENCE, "baru", source="model")
        flags.clear(prefix=f.SUGGESTED_OPD_PREFIX)
        flags.set(f.PII, "data pribadi")
        flags.settle()
    assert f.flag_codes(session, report) == [f.LOW_CONFIDENCE, f.PII]
    kept = q.flag(session, report.id, f.LOW_CONFIDENCE)
    assert (kept.id, kept.reason) == (original_id, "baru")
    session.commit()
