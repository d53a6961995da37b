"""Personal data per role (pilah/web/roles.py): reviewers see it, everyone else sees it masked."""

from __future__ import annotations

import pytest
from web_helpers import html

NIK = "1801012345670001"
PHONE = "081234567890"
TEXT = f"Jalan rusak, hubungi saya {PHONE} NIK {NIK}"


@pytest.fixture
def report(make_report):
    return make_report(TEXT, status="terdisposisi", opd_code="dpupr", author_handle=PHONE)


def test_verifikator_sees_text_and_author_as_received(login, report) -> None:
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert page.select_one("#post-text").get_text() == TEXT
    assert PHONE in page.select_one("dl.facts").get_text()


def test_opd_liaison_sees_masked_text_and_no_handle(login, report) -> None:
    page = html(login("opd").get(f"/opd/laporan/{report.id}"))
    text = page.select_one("#post-text").get_text()
    assert NIK not in text and PHONE not in text and "Jalan rusak" in text
    assert PHONE not in page.get_text()


@pytest.mark.parametrize("role", ["analis", "pimpinan"])
def test_api_readers_get_masked_text_and_no_author(role, login, report) -> None:
    body = login(role).get(f"/api/v1/reports/{report.id}").json()
    assert NIK not in body["text"] and PHONE not in body["text"]
    assert body["author"] is None


def test_queue_list_masks_text_even_for_reviewers(login, make_report) -> None:
    make_report(TEXT)
    page = html(login("verifikator").get("/antrian"))
    assert NIK not in page.select_one("td.text").get_text()


def test_open311_never_publishes_personal_data(login, report) -> None:
    body = login("verifikator").get(f"/open311/v2/requests/{report.id}.json").json()
    assert NIK not in body[0]["description"] and PHONE not in body[0]["description"]
