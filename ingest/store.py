"""The one ingest path: raw payload first, then posts, quarantine and checkpoint, in one transaction.

Every collector and every file import calls `ingest_page`. Because posts are keyed on
(channel, source id), payloads on (channel, sha256) and quarantine rows on a fingerprint, running
it again on the same input changes nothing; because the checkpoint moves in the same transaction
as the posts it covers, a crash at any point leaves either all of a page or none of it.

The same atomicity gives a fast path for re-reads: when these exact bytes are already stored on
this channel and were read with the same parameters, the posts and quarantine rows they hold were
committed with them, so the page is parsed only to count what it holds (all duplicates) and nothing
else is written but the checkpoint. Read with other parameters (an export imported again with a
corrected `--map`), the page is stored again against the same payload: rows now readable become
posts. Every read of known bytes settles their quarantine: items it rejects again keep its reason, the
rest were taken in and are resolved. A read that cannot read the payload at all (a wrong map) resolves
nothing: the rows it did not take in are still unread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from operator import attrgetter

from sqlalchemy.orm import Session

from ingest.records import CheckpointAdvance, IngestOutcome, ParsedPage, Provenance, Rejected
from ingest.storable import storable_page
from pilah.queries import channel as q

Parser = Callable[[bytes], ParsedPage]
_post_values = attrgetter(*q.POST_VALUE_COLUMNS)


def ingest_page(session: Session, body: bytes, provenance: Provenance, parse: Parser,
                checkpoint: CheckpointAdvance | None = None) -> IngestOutcome:
    """Store one payload and what it holds; the caller owns the transaction."""
    stored = q.insert_new_payload(session, _payload_row(body, provenance))
    page = storable_page(_parse_or_reject(parse, body))
    unreadable = _unreadable_reason(page)
    if isinstance(stored, q.StoredPayload):  # these bytes again: read anew only with other parameters
        payload_id = stored.id if stored.parameters != provenance.parameters else None
    else:
        payload_id = stored
    if payload_id is None:
        outcome = IngestOutcome(fetched=len(page.posts), duplicates=len(page.posts))
    else:
        outcome = _store_posts(session, provenance.channel, payload_id, page)
        _store_rejected(session, provenance.channel, payload_id, page.rejected)
    if isinstance(stored, q.StoredPayload):
        # Every later read of these bytes settles their quarantine, the fast path's too: after a read with a
        # wrong map failed, reading them again as the first time did clears that failure.
        q.resolve_quarantined(session, stored.id, {item.fingerprint: (item.reason_code, item.reason)
                                                   for item in page.rejected}, provenance.retrieved_at,
                              took_in=unreadable is None)
    outcome.quarantined = len(page.rejected)
    if unreadable is not None:
        outcome.unreadable, outcome.unreadable_reason = 1, unreadable
    if checkpoint is not None:
        q.set_checkpoint(session, checkpoint.collector, checkpoint.key, checkpoint.value)
    return outcome


def _payload_row(body: bytes, provenance: Provenance) -> dict:
    return {
        "channel": provenance.channel,
        "endpoint": provenance.endpoint,
        "parameters": provenance.parameters,
        "collector_version": provenance.collector_version,
        "retrieved_at": provenance.retrieved_at,
        "sha256": hashlib.sha256(body).hexdigest(),
        "body": body,
    }


#: The locator of the one quarantine item a payload becomes when it cannot be read at all.
WHOLE_PAYLOAD = "payload"


def _parse_or_reject(parse: Parser, body: bytes) -> ParsedPage:
    """A payload the parser cannot read at all becomes one quarantined item, not a crash."""
    try:
        return parse(body)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        item = body[:20_000].decode("utf-8", errors="replace")
        return ParsedPage(rejected=[Rejected(WHOLE_PAYLOAD, "unreadable_payload", str(exc), item)])


def _unreadable_reason(page: ParsedPage) -> str | None:
    if not page.posts and len(page.rejected) == 1 and page.rejected[0].locator == WHOLE_PAYLOAD:
        return page.rejected[0].reason
    return None


def _store_posts(session: Session, channel: str, payload_id: int, page: ParsedPage) -> IngestOutcome:
    unique = {record.source_id: record for record in page.posts}
    # attrgetter builds each row tuple in C; dataclasses.asdict deep-copied every value (bench/bench_ingest.py).
    new = q.insert_new_posts(session, channel, payload_id, [_post_values(record) for record in unique.values()])
    return IngestOutcome(fetched=len(page.posts), new=new, duplicates=len(page.posts) - new)


def _store_rejected(session: Session, channel: str, payload_id: int, rejected: list[Rejected]) -> None:
    q.insert_quarantined(session, [
        {
            "channel": channel, "payload_id": payload_id, "locator": item.locator,
            "reason_code": item.reason_code, "reason": item.reason, "item": item.item,
            "fingerprint": item.fingerprint,
        }
        for item in rejected
    ])
