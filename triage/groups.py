"""A duplicate group as people see it: its size, its distinct reporters ("N pelapor"), the flag texts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pilah.queries import reports as q
from triage import flags as f
from triage.duplicates import DuplicateMatch, reporter_key

KIND_LABELS = {
    "retweet": "retweet",
    "quote": "kutipan (quote) dari",
    "exact": "teks sama persis dengan",
    "near": "teks hampir sama dengan",
    "cross_channel": "pengaduan yang sama di kanal lain dengan",
    "author_repeat": "pelapor yang sama mengulang",
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
    head = q.report_with_post(session, canonical_id)
    members = q.group_members(session, canonical_id)
    posts = [post for _, post in members] + ([head[1]] if head else [])
    reporters = {reporter_key(post.channel, post.author_id, post.source_id) for post in posts}
    return GroupSize(canonical_id, len(posts), len(reporters))


def refresh_group_flags(session: Session, canonical_id: int) -> GroupSize:
    """Write the canonical report's `duplicate_group` flag (a flag row: the report's version is untouched)."""
    size = group_size(session, canonical_id)
    head = q.report_with_post(session, canonical_id)
    if head is not None:
        reason = f"Grup duplikat: {size.reports} laporan dari {size.reporters} pelapor"
        f.set_flag(session, head[0], f.DUPLICATE_GROUP, reason, source="rule")
    return size
