"""What the classifiers learn from: human labels, and the model versions trained on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pilah.schema.base import Base, UTCDateTime, utcnow


class Label(Base):
    """A human-confirmed category/location for a text: the training data for the next model."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40))
    kecamatan_code: Mapped[str | None] = mapped_column(String(13))
    desa_code: Mapped[str | None] = mapped_column(String(13))
    unclear_reason: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    labeller: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The `data/taxonomy.toml` version the label was written under; None for labels written before pilah
    #: recorded it (migration 0009). `pilah train --labels` compares it with the taxonomy's declared changes.
    taxonomy_version: Mapped[str | None] = mapped_column(String(20))


class ModelVersion(Base):
    """A trained classifier registered in models/, with its card (metrics, data hash)."""

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="candidate")
    card: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
