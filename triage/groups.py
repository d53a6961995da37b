"""A duplicate group as people see it: its size, its distinct reporters ("N pelapor"), the flag texts,
and what staff do to groups the machine got wrong: split a post out, merge two groups (each audited).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from pilah.queries import reports as q
from pilah.queries import triage_rows as rows
from pilah.schema import Report
from triage import flags as f
from triage.duplicates import DuplicateMatch
from triage.queue import record_on_report

KIND_LABELS = {
    "retweet": "retweet",
    "quote": "kutipan (quote) dari",
    "exact": "teks sama persis dengan",
    "near": "teks hampir sama dengan",
    "cross_channel": "pengaduan yang sama di kanal lain dengan",
    "author_repeat": "pelapor yang sama mengulang",
    "staff_merge": "digabung petugas dengan",
}


@dataclass(frozen=True)
class GroupSize:
    canonical_id: int
    reports: int
    reporters: int


def describe_match(match: DuplicateMatch) -> str:
    label = KIND_LABELS.get(match.kind, match.kind)
    similarity = f", kemiripan {match.similarity:.2f}" if match.similarity is not None else ""
    if match.kind == "retweet":
        return f"Retweet dari laporan #{match.matched_id}; digabung ke laporan #{match.canonical_id}{similarity}"
    return f"Duplikat: {label} laporan #{match.matched_id}; digabung ke laporan #{match.canonical_id}{similarity}"


def group_size(session: Session, canonical_id: int) -> GroupSize:
    """Reports in the group (canonical included) and distinct reporters among them."""
    reports, reporters = rows.group_sizes(session, [canonical_id]).get(canonical_id, (0, 0))
    return GroupSize(canonical_id, reports, reporters)


def group_flag_reason(size: GroupSize) -> str | None:
    """The head's `duplicate_group` flag text; None when the group is the head alone."""
    return f"Grup duplikat: {size.reports} laporan dari {size.reporters} pelapor" if size.reports > 1 else None


def refresh_group_flags(session: Session, canonical_id: int) -> GroupSize:
    """Write the canonical report's `duplicate_group` flag (a flag row: the report's version is untouched)."""
    size = group_size(session, canonical_id)
    head = session.get(Report, canonical_id)
    reason = group_flag_reason(size)
    if head is not None and reason is None:
        f.clear_flags(session, head, prefix=f.DUPLICATE_GROUP)
    elif head is not None:
        f.set_flag(session, head, f.DUPLICATE_GROUP, reason, source="rule")
    return size


def refresh_group_flags_of(session: Session, canonical_ids: Sequence[int], *, at: datetime) -> None:
    """`refresh_group_flags` for many groups in a few statements (the triage batch)."""
    heads = sorted(canonical_ids)
    sizes = rows.group_sizes(session, heads)
    existing = rows.flag_rows_of_reports(session, heads)
    plans = {}
    for head in heads:
        plan = f.FlagPlan({code: row for code, row in existing[head].items() if code == f.DUPLICATE_GROUP})
        reason = group_flag_reason(GroupSize(head, *sizes.get(head, (0, 0))))
        if reason is None:
            plan.clear(prefix=f.DUPLICATE_GROUP)
        else:
            plan.set(f.DUPLICATE_GROUP, reason, source="rule")
        plans[head] = plan
    f.write_flag_plans(session, plans, created_at=at)


def split_from_group(session: Session, report: Report, *, actor: str, reason: str,
                     at: datetime | None = None) -> int:
    """Take a report out of its duplicate group (it becomes its own); returns the group it left.

    When the report heads the group, its earliest member becomes the new head.
    """
    if report.duplicate_of_id is not None:
        canonical = report.duplicate_of_id
        _unlink(session, report)
    else:
        members = [member for member, _ in q.linked_members(session, report.id)]
        if not members:
            raise ValueError(f"report #{report.id} is not in a duplicate group")
        canonical = members[0].id
        _unlink(session, members[0])
        record_on_report(session, members[0], "group_head", actor=actor, reason=reason, at=at,
                         details={"previous_head": report.id})
        _move(session, members[1:], report.id, canonical, actor, reason, at)
    record_on_report(session, report, "group_split", actor=actor, reason=reason, at=at, details={"group": canonical})
    session.flush()
    refresh_group_flags(session, canonical)
    refresh_group_flags(session, report.id)
    return canonical


def merge_groups(session: Session, keep: Report, other: Report, *, actor: str, reason: str,
                 at: datetime | None = None) -> GroupSize:
    """Fold other's group into keep's: other's head and members all point at keep's head."""
    keep_id = keep.duplicate_of_id or keep.id
    other_id = other.duplicate_of_id or other.id
    if keep_id == other_id:
        raise ValueError("both reports are already in the same group")
    other_head = session.get(Report, other_id)
    _move(session, [member for member, _ in q.linked_members(session, other_id)], other_id, keep_id, actor, reason,
          at)
    other_head.duplicate_of_id, other_head.duplicate_kind = keep_id, "staff_merge"
    other_head.duplicate_similarity = None
    f.clear_flags(session, other_head, prefix=f.DUPLICATE_GROUP)
    f.set_flag(session, other_head, f.DUPLICATE, f"Digabung petugas ke laporan #{keep_id}: {reason}", source="staff")
    record_on_report(session, other_head, "group_merge", actor=actor, reason=reason, at=at, details={"into": keep_id})
    session.flush()
    return refresh_group_flags(session, keep_id)


def _move(session: Session, members: list[Report], old_head: int, new_head: int, actor: str, reason: str,
          at: datetime | None) -> None:
    """Members follow their group to a new head: each is pointed there, says so in its flag, and is audited."""
    for member in members:
        member.duplicate_of_id = new_head
        f.set_flag(session, member, f.DUPLICATE,
                   f"Duplikat dari laporan #{new_head} (sebelumnya #{old_head}): {reason}", source="staff")
        record_on_report(session, member, "group_moved", actor=actor, reason=reason, at=at,
                         details={"from": old_head, "to": new_head})


def _unlink(session: Session, report: Report) -> None:
    report.duplicate_of_id = report.duplicate_kind = report.duplicate_similarity = None
    flag = q.flag(session, report.id, f.DUPLICATE)
    if flag is not None:
        session.delete(flag)
