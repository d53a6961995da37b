"""What a database column can hold, enforced before anything is written.

A payload is stored in one transaction with its posts; a single value the database refuses (a NUL
in an SMS, half an emoji in a Facebook comment, a display name longer than its column) would roll
the whole page back, payload included, and the run would fail the same way every time. Here each
post is made storable or, when its identity itself cannot be stored, quarantined with the reason.
"""

from __future__ import annotations

import dataclasses
from functools import cache

from ingest.payload_checks import compact
from ingest.records import ParsedPage, PostRecord, Rejected
from pilah.schema import Post, QuarantinedItem

#: Identifiers: cut one and it names another post, so a post whose identifier is too long is quarantined.
IDENTIFIERS = ("source_id", "author_id", "author_handle", "reply_to_id", "quote_of_id", "retweet_of_id",
               "conversation_id", "parent_id")


def clean_text(value: str) -> str:
    """Without NUL characters and with half surrogate pairs (half an emoji) replaced: both are
    refused by PostgreSQL, the second by any UTF-8 encoder."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def storable_page(page: ParsedPage) -> ParsedPage:
    posts, rejected = [], [_storable_rejected(item) for item in page.rejected]
    for record in page.posts:
        fitted = _storable_post(record)
        if isinstance(fitted, Rejected):
            rejected.append(fitted)
        else:
            posts.append(fitted)
    return ParsedPage(posts=posts, rejected=rejected, cursor=page.cursor)


def _storable_post(record: PostRecord) -> PostRecord | Rejected:
    changes = {}
    for name, limit in _limits().items():
        value = getattr(record, name)
        if not isinstance(value, str):
            continue
        clean = clean_text(value)
        if limit is not None and len(clean) > limit:
            if name in IDENTIFIERS:
                return Rejected(f"post {clean_text(record.source_id)[:60]}", "field_too_long",
                                f"kolom {name} lebih dari {limit} karakter / {name} longer than {limit} characters",
                                clean_text(compact({**dataclasses.asdict(record),
                                                    "created_at": record.created_at.isoformat()})))
            clean = None if name == "url" else clean[: limit - 1] + "…"
        if clean != value:
            changes[name] = clean
    return dataclasses.replace(record, **changes) if changes else record


def _storable_rejected(item: Rejected) -> Rejected:
    locator = clean_text(item.locator)[: _locator_limit()]
    reason, text = clean_text(item.reason), clean_text(item.item)
    if (locator, reason, text) == (item.locator, item.reason, item.item):
        return item
    return Rejected(locator, item.reason_code, reason, text)


@cache
def _limits() -> dict[str, int | None]:
    """PostRecord field → the length its column allows (None: unbounded text)."""
    columns = Post.__table__.columns
    return {f.name: getattr(columns[f.name].type, "length", None)
            for f in dataclasses.fields(PostRecord) if f.name in columns and f.name != "created_at"}


@cache
def _locator_limit() -> int:
    return QuarantinedItem.__table__.columns["locator"].type.length
