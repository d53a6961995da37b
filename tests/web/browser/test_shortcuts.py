"""Keyboard shortcuts and confirmations in a real browser: a verifikator opens and verifies a report
with the keyboard alone; a destructive group action asks first and does nothing when declined."""

from __future__ import annotations

from pilah.schema import Report

PASSWORD = "rahasia-uji-123"


def _login(browser, server: str, username: str):
    page = browser.new_context(viewport={"width": 1360, "height": 900}).new_page()
    page.goto(f"{server}/masuk")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/antrian")
    return page


def _status(directory, report_id: int) -> str:
    with directory() as session:
        return session.get(Report, report_id).status


def test_keyboard_opens_and_verifies_a_report(browser, server, users, make_report, directory) -> None:
    report = make_report("Jalan berlubang di depan pasar Natar")
    page = _login(browser, server, users["verifikator"].username)
    page.keyboard.press("j")
    assert page.locator("tr.current").get_attribute("data-report-id") == str(report.id)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/antrian/{report.id}")
    page.keyboard.press("v")
    assert page.evaluate("document.activeElement.closest('form').id") == "form-verify"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/antrian/{report.id}")
    assert page.locator("#report-status").inner_text() == "Terverifikasi"
    assert _status(directory, report.id) == "terverifikasi"


def test_destructive_group_action_asks_for_confirmation(browser, server, users, make_report, directory) -> None:
    original = make_report("Lampu jalan mati di Jl. Raya Natar")
    repeat = make_report("Lampu jalan mati Jl Raya Natar")
    page = _login(browser, server, users["verifikator"].username)
    page.goto(f"{server}/antrian/{repeat.id}")
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.fill("#form-duplicate input[name=other_id]", str(original.id))
    page.click("#form-duplicate button[type=submit]")
    assert asked == ["Tandai laporan ini sebagai duplikat?"]
    with directory() as session:
        assert session.get(Report, repeat.id).duplicate_of_id is None
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("#form-duplicate button[type=submit]")
    assert "2 pelapor" in page.locator("section.group h3").inner_text()
    with directory() as session:
        assert session.get(Report, repeat.id).duplicate_of_id == original.id
