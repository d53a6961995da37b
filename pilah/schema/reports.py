"""The triage queue: reports, their flags, dispositions, follow-ups, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilah.schema.base import Base, UTCDateTime, utcnow


class ReportStatus(StrEnum):
    """The lifecycle in DESIGN.md; which moves are legal lives in triage.queue."""

    BARU = "baru"
    PERLU_VERIFIKASI = "perlu_verifikasi"
    TERVERIFIKASI = "terverifikasi"
    TERDISPOSISI = "terdisposisi"
    DITINDAKLANJUTI = "ditindaklanjuti"
    SELESAI = "selesai"
    TERTUNDA = "tertunda"
    DITOLAK = "ditolak"


_STATUS_VALUES = ", ".join(f"'{s.value}'" for s in ReportStatus)


class Report(Base):
    """A post in the triage queue. `version` detects two people saving the same report."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="status"),
        # The queue's default order (deadline, then id), with the status it filters on: PostgreSQL finds a
        # page's ids in the index alone instead of fetching every row it skips.
        Index("ix_reports_due_queue", "next_due_at", "id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.BARU.value, index=True)
    category: Mapped[str | None] = mapped_column(String(40), index=True)
    # The model's best category even where `category` is None (an unclear post): the verify form offers it.
    category_guess: Mapped[str | None] = mapped_column(String(40))
    category_confidence: Mapped[float | None] = mapped_column(Float)
    category_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    category_source: Mapped[str | None] = mapped_column(String(10))
    model_version: Mapped[str | None] = mapped_column(String(60))
    kecamatan_code: Mapped[str | None] = mapped_column(String(13), index=True)
    desa_code: Mapped[str | None] = mapped_column(String(13))
    location_confidence: Mapped[float | None] = mapped_column(Float)
    location_span: Mapped[str | None] = mapped_column(String(200))
    masked_text: Mapped[str | None] = mapped_column(Text)
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    duplicate_kind: Mapped[str | None] = mapped_column(String(20))
    duplicate_similarity: Mapped[float | None] = mapped_column(Float)
    split_from_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    opd_code: Mapped[str | None] = mapped_column(ForeignKey("opds.code"), index=True)
    verify_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    classified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    flags: Mapped[list[ReportFlag]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportFlag.code"
    )


class ReportFlag(Base):
    """Why the machine or a person thinks a report needs attention (code + human reason)."""

    __tablename__ = "report_flags"
    __table_args__ = (UniqueConstraint("report_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), index=True)
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="rule")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="flags")


def running_due_at(status: str | None, verify_due: datetime | None, followup_due: datetime | None) -> datetime | None:
    """The deadline running for a report: follow-up when dispositioned, verification while it awaits review.

    Stored as `reports.next_due_at` so the queue can sort and filter on one indexed column.
    """
    if status == ReportStatus.TERDISPOSISI:
        return followup_due
    if status in (ReportStatus.PERLU_VERIFIKASI, ReportStatus.TERVERIFIKASI):
        return verify_due
    return None


_DUE_INPUTS = ("status", "verify_due", "followup_due")


@event.listens_for(Report, "before_insert")
def _due_on_insert(_mapper, _connection, report: Report) -> None:
    report.next_due_at = running_due_at(report.status, report.verify_due, report.followup_due)


@event.listens_for(Report, "before_update")
def _due_on_update(_mapper, _connection, report: Report) -> None:
    state = inspect(report)
    if any(state.attrs[name].history.has_changes() for name in _DUE_INPUTS):
        report.next_due_at = running_due_at(report.status, report.verify_due, report.followup_due)


class Disposition(Base):
    """A report sent to an OPD; its delivery state is separate from the report's status."""

    __tablename__ = "dispositions"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    opd_code: Mapped[str] = mapped_column(ForeignKey("opds.code"), index=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivery_state: Mapped[str] = mapped_column(String(20), default="terkirim")
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    returned_reason: Mapped[str | None] = mapped_column(Text)


class FollowUp(Base):
    """A tindak lanjut note recorded by the OPD's liaison."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    opd_code: Mapped[str] = mapped_column(ForeignKey("opds.code"))
    note: Mapped[str] = mapped_column(Text)
    completes: Mapped[bool] = mapped_column(default=False)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEvent(Base):
    """One state change: who, when, what, from, to, why. Never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
