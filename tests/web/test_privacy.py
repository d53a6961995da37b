"""Personal data per role (pilah/web/roles.py): reviewers see it, everyone else sees it masked."""

from __future__ import annotations

import pytest
from web_helpers import html

from pilah.schema import Report

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


def test_opd_liaison_reads_only_its_own_reports_in_a_duplicate_group(login, make_report, directory) -> None:
    head = make_report("Jalan rusak di Natar", status="terdisposisi", opd_code="dpupr")
    other_opd = make_report("RAHASIA_DINSOS bansos tidak cair", status="terdisposisi", opd_code="dinsos")
    unverified = make_report("BELUM_VERIF aduan lain", status="perlu_verifikasi")
    with directory.begin() as session:
        for member in (other_opd, unverified):
            session.get(Report, member.id).duplicate_of_id = head.id
    group = html(login("opd").get(f"/opd/laporan/{head.id}")).select_one("section.group")
    assert "3 pelapor" in group.select_one("h3").get_text()
    assert [item.get_text().split(" ·")[0] for item in group.select("li")] == [f"#{head.id}"]
    assert "RAHASIA_DINSOS" not in group.get_text() and "BELUM_VERIF" not in group.get_text()
    assert "2 laporan lain" in group.get_text()
    reviewer = html(login("verifikator").get(f"/antrian/{head.id}")).select_one("section.group")
    assert len(reviewer.select("li")) == 3


def test_only_reviewers_get_the_original_posts_address_which_names_the_account(login, report) -> None:
    reviewer = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert reviewer.select_one("dl.facts a")["href"] == f"https://x.com/warga/status/{report.post_id}"
    liaison = html(login("opd").get(f"/opd/laporan/{report.id}"))
    assert liaison.select_one("dl.facts a") is None and "x.com/warga" not in str(liaison)
    for role in ("analis", "pimpinan"):
        assert login(role).get(f"/api/v1/reports/{report.id}").json()["url"] is None
    assert login("verifikator").get(f"/api/v1/reports/{report.id}").json()["url"].startswith("https://x.com/")
