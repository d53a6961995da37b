"""The one place that knows the X API v2 response page format (mentions, recent search).

A page is `{"data": [tweets], "includes": {"users", "tweets", "places"}, "meta": {...}}`.
Referenced tweets in `includes.tweets` are context, not posts: only `data` items become posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ingest.payload_checks import compact, load_json_object, optional_str, parse_iso_utc, require_str
from ingest.records import ParsedPage, PostRecord, Rejected

_LINK_FIELDS = {"retweeted": "retweet_of_id", "quoted": "quote_of_id", "replied_to": "reply_to_id"}


def parse_page(body: bytes) -> ParsedPage:
    page = load_json_object(body)
    if "data" not in page and "meta" not in page and page.get("errors"):
        # X answers some refusals with 200 and errors alone (a suspended or unknown account).
        raise ValueError("X menjawab dengan galat / X answered with errors: " + _error_messages(page["errors"]))
    tweets = page.get("data", [])
    if not isinstance(tweets, list):
        raise ValueError("'data' should be a list of tweets")
    if tweets and not any(isinstance(tweet, dict) and "text" in tweet for tweet in tweets):
        raise ValueError("bukan halaman X API v2 / not an X API v2 page: no item has text "
                         "(ekspor Facebook? pakai / use --format fb-json)")
    includes = page.get("includes") or {}
    users = {u.get("id"): u for u in includes.get("users", []) if isinstance(u, dict)}
    places = {p.get("id"): p for p in includes.get("places", []) if isinstance(p, dict)}
    parsed = ParsedPage(cursor=(page.get("meta") or {}).get("newest_id"))
    for index, tweet in enumerate(tweets):
        try:
            parsed.posts.append(_post(tweet, users, places))
        except (ValueError, TypeError, AttributeError) as exc:
            parsed.rejected.append(Rejected(f"data[{index}]", "malformed_tweet", str(exc), compact(tweet)))
    return parsed


def _error_messages(errors: Any) -> str:
    found = [str(e.get("detail") or e.get("message") or e.get("title")) for e in errors if isinstance(e, dict)]
    return "; ".join(found)[:500] if found else compact(errors)[:500]


def _post(tweet: Any, users: dict[str, Any], places: dict[str, Any]) -> PostRecord:
    # Every ingested tweet passes here (bench/bench_ingest.py): optional parts are looked at only when present.
    if not isinstance(tweet, dict):
        raise ValueError("a tweet should be a JSON object")
    tweet_id = require_str(tweet, "id")
    if not tweet_id.isdigit():
        raise ValueError(f"tweet id '{tweet_id}' is not numeric")
    author_id = optional_str(tweet, "author_id")
    author = users.get(author_id) or _NO_AUTHOR
    username = author.get("username")
    references = tweet.get("referenced_tweets")
    links = _links(references) if references else _NO_LINKS
    return PostRecord(
        source_id=tweet_id,
        text=_full_text(tweet),
        created_at=parse_iso_utc(require_str(tweet, "created_at")),
        author_id=author_id,
        author_name=author.get("name"),
        author_handle=username,
        url=tweet_url(username, tweet_id),
        reply_to_id=links.get("reply_to_id"),
        quote_of_id=links.get("quote_of_id"),
        retweet_of_id=links.get("retweet_of_id"),
        conversation_id=optional_str(tweet, "conversation_id"),
        geo_hint=_place_name(tweet, places) if "geo" in tweet else None,
        language=optional_str(tweet, "lang"),
    )


_NO_AUTHOR: dict[str, Any] = {}
_NO_LINKS: dict[str, str] = {}


def _full_text(tweet: dict[str, Any]) -> str:
    """A post longer than 280 characters comes as its first 280 in ``text`` and whole in ``note_tweet``."""
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str) and note["text"].strip():
        return note["text"]
    return require_str(tweet, "text")


def _links(references: list[Any]) -> dict[str, str]:
    links: dict[str, str] = {}
    for reference in references:
        field = _LINK_FIELDS.get(reference.get("type")) if isinstance(reference, dict) else None
        if field and reference.get("id"):  # one reference without an id must not cost the page
            links[field] = str(reference["id"])
    return links


def _place_name(tweet: dict[str, Any], places: dict[str, Any]) -> str | None:
    place_id = (tweet.get("geo") or {}).get("place_id")
    place = places.get(place_id) if place_id else None
    return (place or {}).get("full_name") or place_id


def tweet_url(username: str | None, tweet_id: str) -> str:
    if username:
        return f"https://x.com/{username}/status/{tweet_id}"
    return f"https://x.com/i/web/status/{tweet_id}"


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a collector needs from a page's `meta`: where the next page starts and how much was read."""

    result_count: int
    newest_id: str | None
    next_token: str | None


def page_meta(body: bytes) -> PageMeta:
    """Raises ValueError for a body that is not an X API v2 page."""
    page = load_json_object(body)
    meta = page.get("meta")
    if not isinstance(meta, dict):
        raise ValueError("an X API v2 page has a 'meta' object")
    tweets = page.get("data") or []
    count = meta.get("result_count", len(tweets) if isinstance(tweets, list) else 0)
    return PageMeta(int(count), optional_str(meta, "newest_id"), optional_str(meta, "next_token"))


def user_id_from_lookup(body: bytes) -> str:
    """The id in a `GET /2/users/by/username/:username` answer; ValueError when the user is absent."""
    user = load_json_object(body).get("data")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not isinstance(user_id, str) or not user_id.isdigit():
        raise ValueError("the answer names no user id")
    return user_id


def parse_jsonl(body: bytes) -> ParsedPage:
    """twarc2 output: one X API v2 response page per line (its `__twarc` metadata is ignored)."""
    parsed = ParsedPage()
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            page = parse_page(line)
        except (ValueError, UnicodeDecodeError) as exc:
            item = line[:20_000].decode("utf-8", errors="replace")
            parsed.rejected.append(Rejected(f"line {number}", "unreadable_line", f"baris/line {number}: {exc}", item))
            continue
        parsed.posts.extend(page.posts)
        parsed.rejected.extend(Rejected(f"line {number} {r.locator}", r.reason_code, f"baris/line {number}: {r.reason}",
                                        r.item) for r in page.rejected)
    return parsed
