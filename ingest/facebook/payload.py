"""The one place that knows the Graph API feed/comments page format.

`GET /{page-id}/feed?fields=...,comments{...,comments{...}}` returns posts with comments nested
two levels deep. The page's own posts and comments (announcements, admin replies) are context,
not complaints: they stay in the raw payload but do not become posts. Visitor posts, comments and
replies do.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

from ingest.payload_checks import compact, load_json_object, optional_str, parse_iso_utc, require_str
from ingest.records import ParsedPage, PostRecord, Rejected


def parse_page(body: bytes, page_ids: Iterable[str] = ()) -> ParsedPage:
    """`page_ids` identify the page's own speech; without them it is read off the post ids, which
    holds for a page's feed but not for its `tagged` edge (there the ids are the visitors')."""
    page = load_json_object(body)
    items = page.get("data")
    if not isinstance(items, list):
        if "error" in page:
            raise ValueError(f"Graph API error response: {compact(page['error'])}")
        raise ValueError("'data' should be a list of posts or comments")
    if items and not any(isinstance(item, dict) and "created_time" in item for item in items):
        # Read item by item, another format's page (an X export given --format fb-json) is all "no text".
        raise ValueError("bukan halaman Graph API Facebook / not a Facebook Graph API page: no item has "
                         "created_time (ekspor X? pakai / use --format x-json)")
    parsed = ParsedPage(cursor=((page.get("paging") or {}).get("cursors") or {}).get("after"))
    speakers = set(page_ids) or _prefixes(items)
    for locator, item, parent in _walk(items, "data", None):
        _collect(parsed, locator, item, parent, speakers)
    return parsed


def _prefixes(items: list[Any]) -> set[str]:
    """Feed item ids are PAGEID_POSTID; a comments page's are POSTID_COMMENTID (no author has that id)."""
    return {str(item["id"]).split("_", 1)[0] for item in items if isinstance(item, dict) and "_" in str(item.get("id"))}


def _walk(items: list[Any], prefix: str, parent: dict[str, Any] | None
          ) -> Iterator[tuple[str, Any, dict[str, Any] | None]]:
    for index, item in enumerate(items):
        locator = f"{prefix}[{index}]"
        yield locator, item, parent
        children = ((item.get("comments") or {}).get("data") or []) if isinstance(item, dict) else []
        yield from _walk(children, f"{locator}.comments", item)


def _collect(parsed: ParsedPage, locator: str, item: Any, parent: dict[str, Any] | None, speakers: set[str]) -> None:
    try:
        if isinstance(item, dict) and (item.get("from") or {}).get("id") in speakers:
            return
        parsed.posts.append(_post(item, parent))
    except (ValueError, TypeError, AttributeError) as exc:
        code = "no_text" if isinstance(item, dict) and "message" not in item else "malformed_item"
        parsed.rejected.append(Rejected(locator, code, str(exc), compact(item)))


def _post(item: Any, parent: dict[str, Any] | None) -> PostRecord:
    if not isinstance(item, dict):
        raise ValueError("an item should be a JSON object")
    author = item.get("from") or {}
    parent_id = ((item.get("parent") or {}).get("id")) or (parent or {}).get("id")
    return PostRecord(
        source_id=require_str(item, "id"),
        text=require_str(item, "message"),
        created_at=parse_iso_utc(require_str(item, "created_time")),
        author_id=author.get("id"),
        author_name=author.get("name"),
        url=optional_str(item, "permalink_url"),
        parent_id=parent_id,
        reply_to_id=parent_id,
    )


#: The paging parameters of a Graph `paging.next` URL that say where the next page starts.
PAGING_KEYS = ("after", "until", "__paging_token")


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What a collector needs from a Graph page: where the next page starts, the newest item, and
    the posts whose comments did not all fit inline."""

    next_params: dict[str, str]
    newest_time: int | None
    more_comments: list[str]


def page_meta(body: bytes) -> PageMeta:
    """Raises ValueError for a body that is not a Graph list page (including error answers)."""
    page = load_json_object(body)
    items = page.get("data")
    if not isinstance(items, list):
        raise ValueError("'data' should be a list of posts or comments")
    next_url = (page.get("paging") or {}).get("next")
    query = parse_qs(urlparse(next_url).query) if isinstance(next_url, str) else {}
    times = [parse_iso_utc(i["created_time"]) for i in items if isinstance(i, dict) and i.get("created_time")]
    more = [str(i["id"]) for i in items
            if isinstance(i, dict) and ((i.get("comments") or {}).get("paging") or {}).get("next")]
    return PageMeta({k: query[k][0] for k in PAGING_KEYS if k in query},
                    int(max(times).timestamp()) if times else None, more)


def graph_error(body: bytes) -> dict[str, Any] | None:
    """The `error` object of a Graph error answer, or None when the body is not one."""
    try:
        error = load_json_object(body).get("error")
    except ValueError:
        return None
    return error if isinstance(error, dict) else None
