"""One simulated working day for `pilah demo`, so the statistics show the whole lifecycle.

The decisions follow what the machine suggested and are made through triage.queue, exactly as
a person's would be, audited under `demo:` actors. Nothing here is used outside the demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pilah.schema import Report, ReportStatus
from triage import flags, queue
from triage.sla import WorkingCalendar

VERIFIKATOR = "demo:verifikator"
ASK_LOCATION = ("Terima kasih atas laporannya. Mohon sebutkan lokasi persisnya (desa/kelurahan dan "
                "kecamatan) agar dapat kami teruskan ke OPD terkait.")


@dataclass
class StaffDay:
    verified: int = 0
    dispositioned: int = 0
    rejected: int = 0
    pending: int = 0
    left_for_review: int = 0
    follow_ups_started: int = 0
    completed: int = 0

    def __str__(self) -> str:
        return (f"{self.dispositioned} didisposisikan, {self.rejected} ditolak, {self.pending} ditunda "
                f"(minta keterangan), {self.left_for_review} menunggu verifikasi, {self.follow_ups_started} "
                f"ditindaklanjuti, {self.completed} selesai")


def simulate_staff_day(factory: sessionmaker[Session], calendar: WorkingCalendar, *, now: datetime,
                       taxonomy_version: str) -> StaffDay:
    """``taxonomy_version``: the taxonomy in force, which the verifikator's labels are written under."""
    day = StaffDay()
    with factory() as session, session.begin():
        for report in _queue(session):
            _review(session, report, calendar, now, day, taxonomy_version)
    with factory() as session, session.begin():
        for index, report in enumerate(_dispositioned(session)):
            _follow_up(session, report, index, now + timedelta(hours=4), day)
    return day


def _queue(session: Session) -> list[Report]:
    return list(session.scalars(
        select(Report).where(Report.status == ReportStatus.PERLU_VERIFIKASI).order_by(Report.id)))


def _dispositioned(session: Session) -> list[Report]:
    return list(session.scalars(
        select(Report).where(Report.status == ReportStatus.TERDISPOSISI).order_by(Report.id)))


def _review(session: Session, report: Report, calendar: WorkingCalendar, now: datetime, day: StaffDay,
            taxonomy_version: str) -> None:
    codes = flags.flag_codes(session, report)
    unclear = {code for code in codes if code.startswith(flags.UNCLEAR_PREFIX)}
    if report.duplicate_of_id is not None:
        queue.reject(session, report, actor=VERIFIKATOR, at=now,
                     reason=f"Digabung dengan laporan #{report.duplicate_of_id} (pengaduan yang sama)")
        day.rejected += 1
    elif unclear and unclear <= {flags.unclear_code("question")}:
        day.left_for_review += 1  # a citizen's question: a person answers it, or finds the OPD who can
    elif unclear:
        queue.reject(session, report, actor=VERIFIKATOR, at=now, reason="Tidak jelas: tidak dapat ditindaklanjuti")
        day.rejected += 1
    elif flags.OUTSIDE_KABUPATEN in codes:
        queue.reject(session, report, actor=VERIFIKATOR, at=now, reason="Di luar wilayah Kabupaten Lampung Selatan")
        day.rejected += 1
    elif flags.NO_LOCATION in codes:
        queue.set_pending(session, report, actor=VERIFIKATOR, message=ASK_LOCATION, at=now)
        day.pending += 1
    elif flags.LOW_CONFIDENCE in codes or flags.suggested_opd(session, report) is None:
        day.left_for_review += 1
    else:
        queue.verify(session, report, actor=VERIFIKATOR, taxonomy_version=taxonomy_version, at=now)
        queue.disposition(session, report, flags.suggested_opd(session, report), actor=VERIFIKATOR,
                          calendar=calendar, now=now)
        day.verified += 1
        day.dispositioned += 1


def _follow_up(session: Session, report: Report, index: int, at: datetime, day: StaffDay) -> None:
    """A third of the OPDs start work the same day; a third of those finish it."""
    if index % 3:
        return
    liaison = f"demo:opd-{report.opd_code}"
    queue.start_follow_up(session, report, actor=liaison, at=at,
                          note="Laporan diterima, tim sudah dijadwalkan ke lokasi")
    day.follow_ups_started += 1
    if index % 9 == 0:
        queue.complete(session, report, actor=liaison, at=at, note="Sudah ditangani di lokasi, dokumentasi terlampir")
        day.completed += 1
