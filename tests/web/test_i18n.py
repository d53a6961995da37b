"""Language: every string in code and templates is in the English catalog; the switch works;
dates are in Asia/Jakarta with Indonesian month names."""

from __future__ import annotations

from datetime import UTC, datetime

from web_helpers import html

from pilah.web.catalog import catalog_messages, extracted_messages
from pilah.web.i18n import format_when, set_language


def test_every_message_in_code_and_templates_has_an_english_translation() -> None:
    catalog = catalog_messages("en")
    missing = sorted(m for m in extracted_messages() if not catalog.get(m))
    assert missing == []


def test_english_switch_translates_pages_and_errors(login) -> None:
    client = login("verifikator")
    response = client.get("/bahasa/en?next=/antrian")
    assert response.status_code == 303 and response.headers["location"] == "/antrian"
    assert html(client.get("/antrian")).find("h1").get_text() == "Report queue"
    missing = client.get("/antrian/424242")
    assert html(missing).select_one("p.message").get_text() == "Page or report not found."
    assert html(client.get("/antrian")).find("html")["lang"] == "en"


def test_indonesian_is_the_default(login) -> None:
    assert html(login("verifikator").get("/antrian")).find("h1").get_text() == "Antrian laporan"


def test_dates_are_jakarta_time_with_indonesian_month_names() -> None:
    set_language("id")
    assert format_when(datetime(2026, 1, 5, 7, 30, tzinfo=UTC)) == "5 Januari 2026 14.30"
    set_language("en")
    assert format_when(datetime(2026, 1, 5, 7, 30, tzinfo=UTC)) == "5 January 2026 14.30"
    set_language("id")
