"""The day's work in a real browser: review, correct, disposition, OPD follow-up, dashboard;
hostile post text stays inert; another OPD's liaison gets 404. Saves screenshots."""

from __future__ import annotations

import os

PASSWORD = "rahasia-uji-123"
HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> sampah menumpuk di pasar Natar'


def _login(browser, server: str, username: str):
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    return page


def test_review_disposition_follow_up_and_dashboard(browser, server, users, make_user, make_report, shoot,
                                                  copy_to_docs) -> None:
    make_user("opd", username="liaison-dinkes", opd_code="dinkes")
    report = make_report("Jalan berlubang di depan SD Negeri 1 Jati Mulyo, mohon segera diperbaiki",
                         category="lingkungan")
    make_report("KTP-el belum jadi sudah tiga bulan", category="adminduk", kecamatan_code="18.01.04")
    hostile = make_report(HOSTILE, category="lingkungan", kecamatan_code="18.01.04")
    dialogs: list[str] = []

    page = _login(browser, server, users["verifikator"].username)
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    assert page.url.endswith("/antrian")
    assert page.locator("tr[data-report-id]").count() == 3
    shots = [shoot(page, "antrian")]

    page.goto(f"{server}/antrian/{hostile.id}")
    assert page.locator("#post-text").inner_text() == HOSTILE
    assert page.locator("main img").count() == 0

    page.goto(f"{server}/antrian/{report.id}")
    shots.append(shoot(page, "laporan"))
    page.select_option("#form-verify select[name=category]", "infrastruktur")
    page.click("#form-verify button[type=submit]")
    assert page.locator("#report-status").inner_text() == "Terverifikasi"
    assert "Infrastruktur" in page.locator("#report-category").inner_text()
    page.select_option("#form-disposition select[name=opd_code]", "dpupr")
    page.click("#form-disposition button[type=submit]")
    assert page.locator("#report-status").inner_text() == "Terdisposisi"

    liaison = _login(browser, server, users["opd"].username)
    assert liaison.url.endswith("/opd")
    shots.append(shoot(liaison, "opd"))
    liaison.click(f"tr[data-report-id='{report.id}'] a")
    liaison.fill("#form-start textarea[name=note]", "Tim PUPR survei lokasi")
    liaison.click("#form-start button[type=submit]")
    liaison.fill("#form-followup textarea[name=note]", "Lubang sudah ditambal")
    liaison.click("#form-followup button[type=submit]")
    assert liaison.locator("#report-status").inner_text() == "Selesai"

    other = _login(browser, server, "liaison-dinkes")
    response = other.goto(f"{server}/opd/laporan/{report.id}")
    assert response.status == 404 and other.locator("h1").inner_text() == "404"

    boss = _login(browser, server, users["pimpinan"].username)
    boss.goto(f"{server}/dasbor?from=2026-01-01&to=2026-12-31")
    assert boss.locator('[data-stat="done"] strong').inner_text() == "1"
    assert boss.locator(".charts svg").count() == 3
    shots.append(shoot(boss, "dasbor"))
    assert dialogs == []
    if os.environ.get("PILAH_UPDATE_DOC_SCREENSHOTS"):
        copy_to_docs(shots)
