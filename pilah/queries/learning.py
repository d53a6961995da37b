"""Queries over what the classifiers learn from: the staff's labels (verifications and corrections)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilah.schema import Label


@dataclass(frozen=True)
class CategoryLabels:
    """The newest label of each report (a label without a report stands alone), oldest first.

    ``categories`` holds None where that newest label has no category (e.g. the report was
    judged unclear): the report's earlier category labels are superseded, not used.
    ``taxonomy_versions`` holds the taxonomy version each was written under (None: not recorded).
    """

    texts: list[str]
    categories: list[str | None]
    taxonomy_versions: list[str | None]
    rows_in_table: int

    @property
    def superseded(self) -> int:
        return self.rows_in_table - len(self.texts)


def newest_category_labels(session: Session) -> CategoryLabels:
    """Staff labels for training: one per report, the newest (by time, then id) winning."""
    report = func.coalesce(Label.report_id, -Label.id)
    rank = func.row_number().over(partition_by=report, order_by=(Label.created_at.desc(), Label.id.desc()))
    ranked = select(Label.id, Label.text, Label.category, Label.taxonomy_version, rank.label("rank")).subquery()
    rows = session.execute(select(ranked.c.text, ranked.c.category, ranked.c.taxonomy_version)
                           .where(ranked.c.rank == 1).order_by(ranked.c.id)).all()
    total = session.scalar(select(func.count()).select_from(Label)) or 0
    return CategoryLabels([row.text or "" for row in rows], [row.category for row in rows],
                          [row.taxonomy_version for row in rows], int(total))


def newest_label_taxonomy_version(session: Session, report_id: int) -> str | None:
    """The taxonomy version of the report's newest label (by time, then id); None without one or without a version."""
    return session.scalar(select(Label.taxonomy_version).where(Label.report_id == report_id)
                          .order_by(Label.created_at.desc(), Label.id.desc()).limit(1))
