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


def test_the_language_switch_returns_to_the_same_view_with_its_query(login, make_report) -> None:
    client = login("verifikator")
    link = html(client.get("/antrian?category=infrastruktur&status=semua")).select_one("a[lang=en]")["href"]
    switched = client.get(link)
    assert switched.headers["location"] == "/antrian?category=infrastruktur&status=semua"
    report = make_report()
    page = html(client.get(f"/antrian/{report.id}"))
    form = page.find("form", id="form-disposition") or page.find("form", id="form-reject")
    refused = client.post(form["action"], data={"csrf_token": page.select_one("input[name=csrf_token]")["value"],
                                                "version": "1"},
                          headers={"referer": f"http://testserver/antrian/{report.id}"})
    assert refused.status_code == 400  # drawn in answer to the form, at the form's own address
    back = client.get(html(refused).select_one("header a[lang]")["href"])  # now the switch back to Indonesian
    assert back.headers["location"] == f"/antrian/{report.id}"
    token = page.select_one("input[name=csrf_token]")["value"]
    for referer, location in (("https://example.com//evil.example/x", "/"), ("", "/"),
                              ("http://proxy-host:8000/antrian?page=2", "/antrian?page=2")):
        answer = client.post(form["action"], data={"version": "1", "csrf_token": token}, headers={"referer": referer})
        # only a path on this site, whatever host the Referer names (behind a proxy it is not ours)
        assert client.get(html(answer).select_one("header a[lang]")["href"]).headers["location"] == location
