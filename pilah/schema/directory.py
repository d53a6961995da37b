"""Who receives reports: OPDs and the routing rules, whose every edit is kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pilah.schema.base import Base, UTCDateTime, utcnow


class Opd(Base):
    """Organisasi Perangkat Daerah: a dinas, badan or kecamatan office."""

    __tablename__ = "opds"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(20))
    kecamatan: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    #: What data/opd.toml said when it was last applied: see triage.directory.
    from_file: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RoutingRule(Base):
    """category (+ optional kecamatan) → OPD; the most specific active rule wins."""

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("category", "kecamatan_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(40))
    kecamatan_code: Mapped[str | None] = mapped_column(String(13))
    opd_code: Mapped[str] = mapped_column(ForeignKey("opds.code"))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What data/ said of this rule when it was last applied: see triage.directory.
    from_file: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RoutingRuleChange(Base):
    """One edit to a routing rule: before, after, editor, time and note."""

    __tablename__ = "routing_rule_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("routing_rules.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    editor: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
