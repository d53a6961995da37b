"""The one place that knows the X API v2 response page format (mentions, recent search).

A page is `{"data": [tweets], "includes": {"users", "tweets", "places"}, "meta": {...}}`.
Referenced tweets in `includes.tweets` are context, not posts: only `data` items become posts.
"""

from __future__ import annotations

from typing import Any

from ingest.payload_checks import compact, load_json_object, optional_str, parse_iso_utc, require_str
from ingest.records import ParsedPage, PostRecord, Rejected

_LINK_FIELDS = {"retweeted": "retweet_of_id", "quoted": "quote_of_id", "replied_to": "reply_to_id"}


def parse_page(body: bytes) -> ParsedPage:
    page = load_json_object(body)
    tweets = page.get("data", [])
    if not isinstance(tweets, list):
        raise ValueError("'data' should be a list of tweets")
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


def _post(tweet: Any, users: dict[str, Any], places: dict[str, Any]) -> PostRecord:
    if not isinstance(tweet, dict):
        raise ValueError("a tweet should be a JSON object")
    tweet_id = require_str(tweet, "id")
    if not tweet_id.isdigit():
        raise ValueError(f"tweet id '{tweet_id}' is not numeric")
    author_id = optional_str(tweet, "author_id")
    author = users.get(author_id) or {}
    links = _links(tweet.get("referenced_tweets") or [])
    return PostRecord(
        source_id=tweet_id,
        text=require_str(tweet, "text"),
        created_at=parse_iso_utc(require_str(tweet, "created_at")),
        author_id=author_id,
        author_name=author.get("name"),
        author_handle=author.get("username"),
        url=tweet_url(author.get("username"), tweet_id),
        conversation_id=optional_str(tweet, "conversation_id"),
        geo_hint=_place_name(tweet, places),
        language=optional_str(tweet, "lang"),
        **links,
    )


def _links(references: list[Any]) -> dict[str, str]:
    links: dict[str, str] = {}
    for reference in references:
        field = _LINK_FIELDS.get(reference.get("type")) if isinstance(reference, dict) else None
        if field:
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
