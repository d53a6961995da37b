"""On a phone's width (an OPD liaison in the field) a report page reads in one column, nothing wider
than the screen but the tables that scroll in place."""

from __future__ import annotations

PASSWORD = "rahasia-uji-123"


def test_a_report_page_fits_a_phone(browser, server, users, make_report) -> None:
    report = make_report("Jalan berlubang di depan pasar Natar, sudah dua bulan, tolong segera ditambal " * 3,
                         status="terdisposisi", opd_code="dpupr")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{server}/masuk")
    page.fill("input[name=username]", users["opd"].username)
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/opd")
    page.goto(f"{server}/opd/laporan/{report.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    text = page.locator("#post-text").bounding_box()
    assert text["width"] > 300  # the complaint spans the screen, not a narrow column beside the actions
    assert page.get_by_role("button", name="Keluar").bounding_box()["x"] < 390
