"""Reports as JSON for /api/v1 and Open311; text and author masked as the role requires."""

from __future__ import annotations

from typing import Any

from pilah.queries.web import CLOSED_STATUSES, QueueRow
from pilah.schema import Post, Report, User
from pilah.web import directory
from pilah.web.views import visible_author, visible_link, visible_text


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def report_summary(row: QueueRow) -> dict[str, Any]:
    r = row.report
    return {"id": r.id, "status": r.status, "category": r.category, "category_confidence": r.category_confidence,
            "kecamatan_code": r.kecamatan_code, "desa_code": r.desa_code, "channel": row.channel,
            "posted_at": _iso(row.posted_at), "opd_code": r.opd_code, "verify_due": _iso(r.verify_due),
            "followup_due": _iso(r.followup_due), "flags": row.flags, "version": r.version, "text": row.text}


def report_detail(user: User, report: Report, post: Post) -> dict[str, Any]:
    return {"id": report.id, "status": report.status, "category": report.category,
            "category_guess": report.category_guess, "category_confidence": report.category_confidence,
            "category_terms": report.category_terms,
            "kecamatan_code": report.kecamatan_code, "desa_code": report.desa_code, "channel": post.channel,
            "posted_at": _iso(post.created_at), "url": visible_link(user, post), "author": visible_author(user, post),
            "text": visible_text(user, report, post), "opd_code": report.opd_code,
            "duplicate_of_id": report.duplicate_of_id, "verify_due": _iso(report.verify_due),
            "followup_due": _iso(report.followup_due), "flags": [f.code for f in report.flags],
            "version": report.version}


def open311_service(slug: str, category: directory.Category) -> dict[str, Any]:
    return {"service_code": slug, "service_name": category.label, "description": category.label_en,
            "metadata": False, "type": "realtime", "keywords": slug, "group": "pengaduan"}


def open311_request(row: QueueRow, categories: dict[str, directory.Category]) -> dict[str, Any]:
    """GeoReport v2 request: selesai and ditolak are closed, every other status is open."""
    r = row.report
    category = categories.get(r.category or "")
    return {"service_request_id": str(r.id), "status": "closed" if r.status in CLOSED_STATUSES else "open",
            "status_notes": r.status, "service_name": category.label if category else None,
            "service_code": r.category, "description": row.text, "agency_responsible": r.opd_code,
            "service_notice": None, "requested_datetime": _iso(row.posted_at), "updated_datetime": _iso(r.updated_at),
            "expected_datetime": _iso(r.followup_due or r.verify_due),
            "address": directory.region_name(r.desa_code or r.kecamatan_code) if r.kecamatan_code else None,
            "address_id": r.desa_code or r.kecamatan_code, "zipcode": None, "lat": None, "long": None,
            "media_url": None}
