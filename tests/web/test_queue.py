"""The queue and a report's actions: each goes through triage.queue, writes audit events and labels,
and a stale form gets a 409 conflict page showing the current state."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from web_helpers import TAXONOMY_VERSION, csrf_of, form_values, html, statements_naming

from pilah import PROJECT_ROOT
from pilah.schema import AuditEvent, Disposition, Label, Opd, OutboxMessage, Report, ReportFlag, RoutingRule
from pilah.web.directory import categories
from pilah.web.roles import REVIEWERS, RULES
from triage.directory import DEFAULT_CATEGORY
from triage.flags import LOW_CONFIDENCE
from triage.pipeline import _queue_reason  # the reason exactly as triage writes it
from triage.queue import report_event
from triage.rerouting import RETURNED
from triage.tagging import model_flags


def _post_form(client, report_id: int, form_id: str, **fields):
    page = html(client.get(f"/antrian/{report_id}"))
    values = form_values(page, form_id) | fields
    action = page.find("form", id=form_id)["action"]
    return client.post(action, data=values)


def test_queue_lists_reports_needing_review_and_filters_by_category(login, make_report) -> None:
    road = make_report("Jalan rusak parah")
    make_report("KTP belum jadi", category="adminduk")
    make_report("Sudah selesai", status="selesai")
    client = login("verifikator")
    all_open = html(client.get("/antrian")).select("tr[data-report-id]")
    assert len(all_open) == 2
    roads = html(client.get("/antrian?category=infrastruktur")).select("tr[data-report-id]")
    assert [row["data-report-id"] for row in roads] == [str(road.id)]


def test_queue_filter_with_bad_date_rerenders_with_field_error(login) -> None:
    response = login("verifikator").get("/antrian?from=kemarin")
    assert response.status_code == 400
    assert html(response).select_one("form#filters .error-text").get_text() == "Tanggal harus berbentuk TTTT-BB-HH."


def test_verify_with_corrected_category_stores_a_label_and_an_audit_event(login, make_report, directory) -> None:
    report = make_report()
    client = login("verifikator")
    response = _post_form(client, report.id, "form-verify", category="ketertiban", kecamatan_code="18.01.13",
                          desa_code="18.01.13.2008")
    assert response.status_code == 303
    with directory() as session:
        saved = session.get(Report, report.id)
        label = session.scalars(select(Label).where(Label.report_id == report.id)).one()
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                         AuditEvent.entity_id == str(report.id))).one()
    assert (saved.status, saved.category, saved.desa_code) == ("terverifikasi", "ketertiban", "18.01.13.2008")
    assert (label.category, label.labeller, label.taxonomy_version) == ("ketertiban", "u-verifikator-x",
                                                                        TAXONOMY_VERSION)
    assert (event.from_status, event.to_status, event.actor) == ("perlu_verifikasi", "terverifikasi", "u-verifikator-x")


def test_invalid_correction_rerenders_with_field_error_and_changes_nothing(login, make_report, directory) -> None:
    report = make_report()
    response = _post_form(login("verifikator"), report.id, "form-verify", kecamatan_code="18.01.13",
                          desa_code="18.01.04.2001")
    assert response.status_code == 400
    assert "Kode desa tidak berada" in html(response).select_one("#form-verify .error-text").get_text()
    with directory() as session:
        assert session.get(Report, report.id).status == "perlu_verifikasi"


def test_second_save_of_the_same_report_gets_a_conflict_and_sees_the_current_state(login, make_report,
                                                                                    directory) -> None:
    report = make_report()
    first, second = login("verifikator"), login("admin")
    stale = form_values(html(second.get(f"/antrian/{report.id}")), "form-reject")
    assert _post_form(first, report.id, "form-verify").status_code == 303
    response = second.post(f"/antrian/{report.id}/tolak", data=stale | {"reason": "spam"})
    assert response.status_code == 409
    page = html(response)
    assert page.select_one("#conflict") is not None
    assert page.select_one("#report-status").get_text(strip=True) == "Terverifikasi"
    with directory() as session:
        assert session.get(Report, report.id).status == "terverifikasi"


def test_disposition_sets_opd_and_working_day_deadline(login, make_report, directory) -> None:
    report = make_report(status="terverifikasi")
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert page.select_one("#form-disposition option[selected]")["value"] == "dpupr"
    client = login("verifikator")
    assert _post_form(client, report.id, "form-disposition", opd_code="dpupr").status_code == 303
    with directory() as session:
        disposition = session.scalars(select(Disposition).where(Disposition.report_id == report.id)).one()
        saved = session.get(Report, report.id)
    assert (saved.status, saved.opd_code, disposition.opd_code) == ("terdisposisi", "dpupr", "dpupr")
    assert saved.followup_due is not None and saved.followup_due.weekday() < 5


def test_reject_needs_a_reason_code(login, make_report) -> None:
    report = make_report()
    response = _post_form(login("verifikator"), report.id, "form-reject", reason="bukan-kode")
    assert response.status_code == 400
    assert html(response).select_one("#form-reject .error-text").get_text() == "Pilih alasan penolakan."


def test_pending_queues_a_question_for_the_reporter(login, make_report, directory) -> None:
    report = make_report()
    response = _post_form(login("verifikator"), report.id, "form-pending", message="Di RT berapa, Pak?")
    assert response.status_code == 303
    with directory() as session:
        outbox = session.scalars(select(OutboxMessage).where(OutboxMessage.report_id == report.id)).one()
        assert (session.get(Report, report.id).status, outbox.body) == ("tertunda", "Di RT berapa, Pak?")


def test_illegal_transition_is_refused_with_a_readable_message(login, make_report) -> None:
    """The page offers no form for it; a request made anyway (an old tab) is refused in words."""
    report = make_report(status="selesai")
    client = login("verifikator")
    assert html(client.get(f"/antrian/{report.id}")).find("form", id="form-pending") is None
    response = client.post(f"/antrian/{report.id}/tunda", data={"csrf_token": csrf_of(client, "/antrian"),
                                                              "version": str(report.version), "message": "Halo?"})
    assert response.status_code == 422
    assert "tidak dapat diubah" in html(response).find(attrs={"role": "alert"}).get_text()


@pytest.mark.parametrize(("status", "forms"), [
    ("baru", set()),
    ("perlu_verifikasi", {"form-verify", "form-pending", "form-reject"}),
    ("terverifikasi", {"form-disposition", "form-reopen"}),
    ("tertunda", {"form-reject"}),
    ("ditolak", {"form-reopen"}),
    ("terdisposisi", set()),
    ("selesai", set()),
])
def test_the_report_page_offers_only_the_moves_its_status_allows(login, make_report, status: str,
                                                                 forms: set[str]) -> None:
    report = make_report(status=status)
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    offered = {f["id"] for f in page.select("aside.actions form[id]")}
    assert offered & {"form-verify", "form-disposition", "form-pending", "form-reject", "form-reopen"} == forms
    assert (page.select_one("aside.actions p.hint") is None) == bool(forms)


def test_bulk_verify_applies_to_selection_and_skips_stale_versions(login, make_report, directory) -> None:
    a, b = make_report("Satu jalan rusak"), make_report("Dua jalan rusak")
    client = login("verifikator")
    token = csrf_of(client, "/antrian")
    response = client.post("/antrian/massal", data={"csrf_token": token, "action": "verify",
                                                     "ids": [f"{a.id}:1", f"{b.id}:99"]})
    assert response.status_code == 303
    with directory() as session:
        assert session.get(Report, a.id).status == "terverifikasi"
        assert session.get(Report, b.id).status == "perlu_verifikasi"
        assert session.scalars(select(Label.taxonomy_version).where(Label.report_id == a.id)).one() == TAXONOMY_VERSION
    flash = html(client.get("/antrian")).select_one(".flash").get_text()
    assert flash.startswith("Berhasil: 1, dilewati: 1.") and f"Laporan #{b.id} sudah diubah oleh petugas lain" in flash


def test_bulk_names_each_skipped_report_and_why_and_never_acts_unchosen(login, make_report, directory) -> None:
    waiting = make_report("Menunggu jawaban pelapor", status="tertunda")
    client = login("verifikator")
    page = html(client.get("/antrian"))
    assert page.select_one("#bulk select[name=action] option[selected]")["value"] == ""
    token = csrf_of(client, "/antrian")
    unchosen = client.post("/antrian/massal", data={"csrf_token": token, "ids": [f"{waiting.id}:1"]})
    assert unchosen.status_code == 303
    assert "Pilih laporan, tindakan" in html(client.get("/antrian")).select_one(".flash").get_text()
    client.post("/antrian/massal", data={"csrf_token": token, "action": "verify",
                                          "ids": [f"{waiting.id}:1", "987654:1"]})
    flash = html(client.get("/antrian")).select_one(".flash").get_text()
    assert flash.startswith("Berhasil: 0, dilewati: 2.")
    assert f"Laporan #{waiting.id} tidak dapat diubah dari 'tertunda'" in flash
    assert "Laporan #987654 tidak ditemukan." in flash
    with directory() as session:
        assert session.get(Report, waiting.id).status == "tertunda"


def test_post_text_with_markup_is_rendered_as_inert_text(login, make_report) -> None:
    hostile = '<script>alert(1)</script> "><img src=x onerror=alert(2)> jalan rusak'
    report = make_report(hostile)
    for path in ("/antrian", f"/antrian/{report.id}"):
        page = html(login("verifikator").get(path))
        assert page.find("script", string=lambda s: s and "alert" in s) is None
        assert page.find("img") is None
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert page.select_one("#post-text").get_text() == hostile


def test_javascript_url_in_a_payload_is_not_a_link(login, make_report, directory) -> None:
    report = make_report()
    with directory.begin() as session:
        from pilah.schema import Post
        session.get(Post, session.get(Report, report.id).post_id).url = "javascript:alert(1)"
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    assert not page.select('a[href^="javascript"]')


def test_unknown_report_renders_404_page(login) -> None:
    response = login("verifikator").get("/antrian/999999")
    assert response.status_code == 404
    assert html(response).find("h1").get_text() == "404"


def test_the_suggested_opd_follows_the_verifikators_correction_and_skips_an_opd_that_refused(
        login, make_report, directory) -> None:
    report = make_report(status="perlu_verifikasi", category="infrastruktur", kecamatan_code="18.01.04")
    client = login("verifikator")
    assert _post_form(client, report.id, "form-verify", category="ketertiban").status_code == 303
    page = html(client.get(f"/antrian/{report.id}"))
    assert page.select_one("#form-disposition option[selected]")["value"] == "kec-natar"  # ketertiban in Natar
    with directory.begin() as session:
        session.add(Disposition(report_id=report.id, opd_code="kec-natar", due_at=report.verify_due,
                                created_by="uji", delivery_state=RETURNED, returned_reason="bukan wewenang"))
    page = html(client.get(f"/antrian/{report.id}"))
    assert page.select_one("#form-disposition option[selected]")["value"] == ""  # "– pilih OPD –", not the first


def test_bulk_disposition_never_routes_a_report_back_to_the_opd_that_returned_it(login, make_report,
                                                                                 directory) -> None:
    returned = make_report("Jalan rusak, bukan wewenang PUPR katanya", status="terverifikasi")
    fresh = make_report("Jalan desa berlubang", status="terverifikasi")
    with directory.begin() as session:
        session.add(Disposition(report_id=returned.id, opd_code="dpupr", due_at=returned.verify_due,
                                created_by="uji", delivery_state=RETURNED, returned_reason="bukan wewenang"))
    client = login("verifikator")
    token = csrf_of(client, "/antrian")
    client.post("/antrian/massal", data={"csrf_token": token, "action": "disposition",
                                          "ids": [f"{returned.id}:1", f"{fresh.id}:1"]})
    with directory() as session:
        assert session.get(Report, returned.id).status == "terverifikasi"
        assert (session.get(Report, fresh.id).status, session.get(Report, fresh.id).opd_code) == ("terdisposisi",
                                                                                                  "dpupr")


def test_flags_read_as_words_and_keep_their_code_in_the_title(login, make_report, directory) -> None:
    report = make_report()
    with directory.begin() as session:
        session.add_all([ReportFlag(report_id=report.id, code="unclear:greeting_only", reason="uji", source="model"),
                         ReportFlag(report_id=report.id, code="low_confidence", reason="uji", source="model")])
    client = login("verifikator")
    badges = {b["title"]: b.get_text() for b in html(client.get("/antrian")).select("td span.flag")}
    assert badges == {"unclear:greeting_only": "Tidak jelas: Hanya salam", "low_confidence": "Keyakinan rendah"}
    client.cookies.set("pilah_lang", "en")
    facts = {b["title"]: b.get_text() for b in html(client.get(f"/antrian/{report.id}")).select("ul.flags .flag")}
    assert facts["low_confidence"] == "Low confidence"


def test_the_history_reads_as_words(login, make_report, directory) -> None:
    report = make_report(category_source="human")
    client = login("verifikator")
    client.post(f"/antrian/{report.id}/verifikasi", data={"csrf_token": csrf_of(client, f"/antrian/{report.id}"),
                                                          "version": str(report.version)})
    page = html(client.get(f"/antrian/{report.id}"))
    history = page.select_one("section.history").get_text(" ", strip=True)
    assert "transition" not in history and "Perlu verifikasi → Terverifikasi" in history
    assert "petugas" in page.get_text() and "human" not in page.get_text()


def _short_name(directory, code: str) -> str:
    with directory() as session:
        return session.get(Opd, code).short_name


def test_dispositions_and_the_opd_fact_name_the_office_and_keep_its_code_in_the_title(app, login, make_report,
                                                                                       directory) -> None:
    report, now = make_report(status="terdisposisi", opd_code="dpupr"), app.state.clock()
    with directory.begin() as session:
        session.add_all([Disposition(report_id=report.id, opd_code="dinkes", due_at=now, created_by="uji",
                                     delivery_state=RETURNED, returned_reason="bukan wewenang"),
                         Disposition(report_id=report.id, opd_code="dpupr", due_at=now + timedelta(days=7),
                                     created_by="uji")])
        session.get(Opd, "dinkes").active = False  # an office since dissolved is still named
    page = html(login("verifikator").get(f"/antrian/{report.id}"))
    named = [(li.select_one(".opd").get_text(), li.select_one(".opd")["title"])
             for li in page.select("section.dispositions li")]
    assert named == [(_short_name(directory, "dinkes"), "dinkes"), (_short_name(directory, "dpupr"), "dpupr")]
    assert "dpupr" not in page.select_one("section.dispositions").get_text()
    assert page.select_one("#report-opd").get_text() == _short_name(directory, "dpupr")
    assert page.select_one("#suggested-opd") is None  # dispositioned: nothing left to suggest


def test_the_suggested_disposition_is_the_one_the_form_preselects_not_triages_stale_flag(login, make_report,
                                                                                        directory) -> None:
    report = make_report(status="perlu_verifikasi", category="infrastruktur", kecamatan_code="18.01.04")
    with directory.begin() as session:  # what triage wrote when the model said "kesehatan"
        session.add(ReportFlag(report_id=report.id, code="suggested_opd:dinkes", source="rule",
                               reason="Usulan disposisi ke dinkes: aturan kategori kesehatan"))
    client = login("verifikator")
    page = html(client.get(f"/antrian/{report.id}"))
    assert page.select_one("#suggested-opd .opd")["title"] == "dpupr"
    assert "dinkes" not in page.select_one("section.post").get_text()
    assert _post_form(client, report.id, "form-verify", category="ketertiban").status_code == 303
    page = html(client.get(f"/antrian/{report.id}"))
    hint = page.select_one("#suggested-opd .opd")
    assert hint.get_text() == _short_name(directory, "kec-natar")
    assert hint["title"] == page.select_one("#form-disposition option[selected]")["value"] == "kec-natar"


def test_without_an_active_default_route_the_page_opens_and_suggests_what_triage_did(login, make_report,
                                                                                    directory) -> None:
    """An admin may deactivate the default route; the rules then decide nothing for an uncategorised report."""
    report = make_report(status="terverifikasi", category=None)
    with directory.begin() as session:
        session.add(ReportFlag(report_id=report.id, code="suggested_opd:dpmd", reason="uji", source="rule"))
        for rule in session.scalars(select(RoutingRule).where(RoutingRule.category == DEFAULT_CATEGORY)):
            rule.active = False
    response = login("verifikator").get(f"/antrian/{report.id}")
    assert response.status_code == 200
    page = html(response)
    assert page.select_one("#suggested-opd .opd")["title"] == "dpmd"
    assert page.select_one("#form-disposition option[selected]")["value"] == "dpmd"


def test_with_nothing_to_suggest_the_disposition_form_makes_the_verifikator_choose(login, make_report,
                                                                                   directory) -> None:
    """No active default route and no flag: the list's first OPD must not be sent unchosen."""
    report = make_report(status="terverifikasi", category=None)
    with directory.begin() as session:
        for rule in session.scalars(select(RoutingRule).where(RoutingRule.category == DEFAULT_CATEGORY)):
            rule.active = False
    client = login("verifikator")
    assert html(client.get(f"/antrian/{report.id}")).select_one("#form-disposition option[selected]")["value"] == ""
    response = _post_form(client, report.id, "form-disposition")
    assert response.status_code == 400
    assert html(response).select_one("#form-disposition .error-text").get_text() == "Pilih OPD tujuan."
    with directory() as session:
        assert session.get(Report, report.id).status == "terverifikasi"


def _low_confidence_reason() -> str:
    """The reason exactly as triage writes it, so a change of its wording shows here."""
    tagging = SimpleNamespace(unclear=False, unclear_reasons=(), abstained=False, category="sosial",
                              category_confidence=0.42, outside_kabupaten=False, kecamatan_code="18.01.04",
                              pii_kinds=())
    return model_flags(tagging, abstain_below=0.55)[LOW_CONFIDENCE]


def test_a_low_confidence_reason_reads_as_percentages_and_the_category_label(login, make_report,
                                                                            directory) -> None:
    report = make_report(category="sosial")
    with directory.begin() as session:
        session.add(ReportFlag(report_id=report.id, code=LOW_CONFIDENCE, reason=_low_confidence_reason(),
                               source="model"))
    client = login("verifikator")
    label = categories(PROJECT_ROOT / "data")["sosial"]
    reason = html(client.get(f"/antrian/{report.id}")).select_one("ul.flags li").get_text()
    assert "42%" in reason and "55%" in reason and label.label_id in reason
    assert "0.42" not in reason and "sosial" not in reason
    client.cookies.set("pilah_lang", "en")
    reason = html(client.get(f"/antrian/{report.id}")).select_one("ul.flags li").get_text()
    assert "below the 55% threshold" in reason and label.label_en in reason


def test_the_bulk_actions_come_before_the_rows(login, make_report) -> None:
    make_report()
    form = html(login("verifikator").get("/antrian")).select_one("form#bulk")
    assert [part.name for part in form.find_all(["fieldset", "table"])] == ["fieldset", "table"]


def test_an_overdue_report_is_marked_in_words_in_the_queue(app, login, make_report, directory) -> None:
    late, on_time = make_report("Jalan ambles"), make_report("Lampu jalan mati")
    client = login("verifikator")
    client.get("/antrian")  # the row as it was, remembered: the deadline passing must still show
    with directory.begin() as session:
        session.get(Report, late.id).verify_due = app.state.clock() - timedelta(hours=1)
    page = html(client.get("/antrian"))
    due = {row["data-report-id"]: row.select_one("td.due") for row in page.select("tr[data-report-id]")}
    assert "overdue" in due[str(late.id)]["class"] and "Lewat tenggat" in due[str(late.id)].get_text()
    assert "overdue" not in due[str(on_time.id)]["class"] and "Lewat tenggat" not in due[str(on_time.id)].get_text()
    overdue_filter = html(client.get("/antrian?overdue=1")).select("tr[data-report-id]")
    assert [row["data-report-id"] for row in overdue_filter] == [str(late.id)]


def test_a_suggested_opd_flag_names_the_office_in_the_row_and_the_filter(login, make_report, directory) -> None:
    report = make_report()
    with directory.begin() as session:
        session.add(ReportFlag(report_id=report.id, code="suggested_opd:dpmd", reason="uji", source="rule"))
    client = login("verifikator")
    page = html(client.get("/antrian"))
    badge = page.select_one(f"tr[data-report-id='{report.id}'] span.flag")
    assert (badge.get_text(), badge["title"]) == (f"Usulan OPD: {_short_name(directory, 'dpmd')}", "suggested_opd:dpmd")
    option = page.select_one("#filters select[name=flag] option[value='suggested_opd:dpmd']")
    assert option.get_text() == f"Usulan OPD: {_short_name(directory, 'dpmd')}"
    with directory.begin() as session:  # renamed: the remembered row and filter form follow
        session.get(Opd, "dpmd").short_name = "DPMD Lamsel"
    page = html(client.get("/antrian"))
    assert page.select_one(f"tr[data-report-id='{report.id}'] span.flag").get_text() == "Usulan OPD: DPMD Lamsel"
    assert page.select_one("#filters option[value='suggested_opd:dpmd']").get_text() == "Usulan OPD: DPMD Lamsel"
    client.cookies.set("pilah_lang", "en")
    badge = html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}'] span.flag")
    assert badge.get_text() == "Suggested OPD: DPMD Lamsel"


def test_a_suggestion_of_an_office_since_deactivated_is_named_in_the_rows_and_the_filter(login, make_report,
                                                                                          directory) -> None:
    """Triage's flag outlives the OPD it suggests: the queue names a deactivated office as the report page does,
    asking for the names of every one the page shows in one statement, not one per row or per office."""
    gone = ("dinkes", "dpmd", "dishub")
    reports = [make_report(f"Keluhan nomor {n}") for n in range(len(gone))]
    with directory.begin() as session:
        session.add_all([ReportFlag(report_id=r.id, code=f"suggested_opd:{code}", reason="uji", source="rule")
                         for r, code in zip(reports, gone, strict=True)])
        for code in gone:
            session.get(Opd, code).active = False
    names = {code: _short_name(directory, code) for code in gone}
    client = login("verifikator")
    with statements_naming("opds") as reads:
        page = html(client.get("/antrian"))
    for report, code in zip(reports, gone, strict=True):
        badge = page.select_one(f"tr[data-report-id='{report.id}'] span.flag")
        assert (badge.get_text(), badge["title"]) == (f"Usulan OPD: {names[code]}", f"suggested_opd:{code}")
        option = page.select_one(f"#filters select[name=flag] option[value='suggested_opd:{code}']")
        assert option.get_text() == f"Usulan OPD: {names[code]}"
    assert len(reads) == 2, reads  # the page's choices (active OPDs), then every OPD they lack at once
    client.cookies.set("pilah_lang", "en")
    page = html(client.get("/antrian"))
    badge = page.select_one(f"tr[data-report-id='{reports[0].id}'] span.flag")
    assert badge.get_text() == f"Suggested OPD: {names['dinkes']}"
    assert page.select_one("#filters option[value='suggested_opd:dinkes']").get_text() == \
        f"Suggested OPD: {names['dinkes']}"


def test_a_dispositions_delivery_state_reads_as_a_word(app, login, make_report, directory) -> None:
    report, now = make_report(status="terdisposisi", opd_code="dpupr"), app.state.clock()
    with directory.begin() as session:
        session.add_all([Disposition(report_id=report.id, opd_code="dinkes", due_at=now, created_by="uji",
                                     delivery_state=RETURNED, returned_reason="bukan urusan kesehatan"),
                         Disposition(report_id=report.id, opd_code="dpupr", due_at=now, created_by="uji")])
    client = login("verifikator")
    items = html(client.get(f"/antrian/{report.id}")).select("section.dispositions li")
    assert [li.select_one(".delivery").get_text() for li in items] == ["Dikembalikan", "Terkirim"]
    assert "Dikembalikan: bukan urusan kesehatan" in items[0].get_text()
    assert "terkirim" not in items[1].get_text() and "dikembalikan" not in items[0].get_text()
    client.cookies.set("pilah_lang", "en")
    items = html(client.get(f"/antrian/{report.id}")).select("section.dispositions li")
    assert [li.select_one(".delivery").get_text() for li in items] == ["Returned", "Sent"]


def test_channels_read_as_names(login, make_report) -> None:
    report = make_report(channel="import")
    client = login("verifikator")
    page = html(client.get("/antrian"))
    cells = [td.get_text() for td in page.select_one(f"tr[data-report-id='{report.id}']").select("td")]
    assert "Impor berkas" in cells and "import" not in cells
    options = {o["value"]: o.get_text() for o in page.select("#filters select[name=channel] option") if o["value"]}
    assert options == {"twitter": "Twitter/X", "facebook": "Facebook", "sms": "SMS", "web": "Web",
                       "import": "Impor berkas"}
    facts = html(client.get(f"/antrian/{report.id}")).select_one("section.post dl.facts dd")
    assert facts.get_text().startswith("Impor berkas")
    client.cookies.set("pilah_lang", "en")
    row = html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}']")
    assert "File import" in [td.get_text() for td in row.select("td")]


def test_history_reasons_name_flags_reasons_and_offices_not_their_codes(login, make_report, directory) -> None:
    """Triage and the reject form write reasons with codes, for the record; the history reads them as words."""
    triaged, rejected = make_report("Jalan berlubang"), make_report("Halo min")
    raised = ["low_confidence", "suggested_opd:dpmd", "unclear:greeting_only"]
    with directory.begin() as session:
        session.add(AuditEvent(**report_event(triaged.id, "transition", "baru", "perlu_verifikasi", actor="triase",
                                              at=triaged.verify_due, reason=_queue_reason(raised),
                                              details={"flags": sorted(raised)})))
    client = login("verifikator")
    history = html(client.get(f"/antrian/{triaged.id}")).select_one("section.history").get_text(" ", strip=True)
    assert (f"Triase otomatis: Keyakinan rendah, Usulan OPD: {_short_name(directory, 'dpmd')}, "
            "Tidak jelas: Hanya salam") in history
    assert "low_confidence" not in history and "dpmd" not in history
    assert _post_form(client, rejected.id, "form-reject", reason="greeting_only", note="cuma salam").status_code == 303
    history = html(client.get(f"/antrian/{rejected.id}")).select_one("section.history").get_text(" ", strip=True)
    assert "Hanya salam: cuma salam" in history and "greeting_only" not in history
    client.cookies.set("pilah_lang", "en")
    history = html(client.get(f"/antrian/{triaged.id}")).select_one("section.history").get_text(" ", strip=True)
    assert "Automatic triage: Low confidence, Suggested OPD:" in history


def test_an_opds_return_in_the_history_names_the_office(login, make_report, directory) -> None:
    report = make_report(status="terdisposisi", opd_code="dpupr")
    liaison = login("opd")
    page = html(liaison.get(f"/opd/laporan/{report.id}"))
    assert liaison.post(page.find("form", id="form-return")["action"], data=form_values(page, "form-return") | {
        "reason": "<b>Jalan</b> provinsi"}).status_code == 303
    history = html(login("verifikator").get(f"/antrian/{report.id}")).select_one("section.history")
    text = history.get_text(" ", strip=True)
    assert f"Bukan wewenang {_short_name(directory, 'dpupr')}: <b>Jalan</b> provinsi" in text
    assert history.find("b") is None  # the liaison's words stay text
    assert "wewenang dpupr" not in text  # the actor, u-opd-dpupr, is a username and stays


# --- reopening: a rejection or verification that was a mistake goes back to perlu_verifikasi ----------------

def _report_events(directory, report_id: int) -> list[AuditEvent]:
    with directory() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                             AuditEvent.entity_id == str(report_id))
                                    .order_by(AuditEvent.id)))


def _status_and_version(directory, report_id: int) -> tuple[str, int]:
    with directory() as session:
        report = session.get(Report, report_id)
        return report.status, report.version


@pytest.mark.parametrize("status", ["ditolak", "terverifikasi"])
def test_reopening_puts_the_report_back_for_verification_with_the_reason_and_actor(login, make_report, directory,
                                                                                   status: str) -> None:
    report = make_report(status=status)
    client = login("verifikator")
    why = "Bukan spam <b>sungguh</b>: warga melapor jalan berlubang"
    response = _post_form(client, report.id, "form-reopen", reason=f"  {why} ")
    assert response.status_code == 303 and response.headers["location"] == f"/antrian/{report.id}"
    assert _status_and_version(directory, report.id) == ("perlu_verifikasi", report.version + 1)
    [event] = _report_events(directory, report.id)
    assert (event.action, event.from_status, event.to_status) == ("transition", status, "perlu_verifikasi")
    assert (event.actor, event.reason) == ("u-verifikator-x", why)
    page = html(client.get(response.headers["location"]))
    assert page.select_one(".flash.ok").get_text() == "Laporan dibuka kembali dan menunggu verifikasi ulang."
    assert page.select_one("#report-status").get_text(strip=True) == "Perlu verifikasi"
    assert page.find("form", id="form-reopen") is None and page.find("form", id="form-verify") is not None
    history = page.select_one("section.history")
    assert why in history.get_text() and history.find("b") is None  # the reason is text, not markup


def test_reopening_needs_a_reason_and_changes_nothing_without_one(login, make_report, directory) -> None:
    report = make_report(status="ditolak")
    client = login("verifikator")
    response = _post_form(client, report.id, "form-reopen", reason="   ")
    assert response.status_code == 400
    error = html(response).select_one("#form-reopen .error-text")
    assert error.get_text() == "Tulis alasan membuka kembali laporan ini."
    assert _status_and_version(directory, report.id) == ("ditolak", report.version)
    assert _report_events(directory, report.id) == []
    client.get("/bahasa/en")
    english = _post_form(client, report.id, "form-reopen", reason="")
    assert html(english).select_one("#form-reopen .error-text").get_text() == "Write why this report is being reopened."


def test_reopening_from_a_stale_page_is_a_conflict_and_changes_nothing(login, make_report, directory) -> None:
    report = make_report(status="ditolak")
    first, second = login("verifikator"), login("admin")
    stale = form_values(html(second.get(f"/antrian/{report.id}")), "form-reopen")
    assert _post_form(first, report.id, "form-reopen", reason="Salah tolak").status_code == 303
    response = second.post(f"/antrian/{report.id}/buka-kembali", data=stale | {"reason": "Salah tolak juga"})
    assert response.status_code == 409
    page = html(response)
    assert page.select_one("#conflict").get_text().startswith("Laporan ini baru saja diubah oleh orang lain.")
    assert page.select_one("#report-status").get_text(strip=True) == "Perlu verifikasi"
    assert _status_and_version(directory, report.id) == ("perlu_verifikasi", report.version + 1)
    assert [e.reason for e in _report_events(directory, report.id)] == ["Salah tolak"]


@pytest.mark.parametrize("status", ["baru", "perlu_verifikasi", "tertunda", "terdisposisi", "selesai"])
def test_a_report_in_another_status_cannot_be_reopened_even_by_a_forged_request(login, make_report, directory,
                                                                                status: str) -> None:
    """`baru` too: the lifecycle lets triage move it to perlu_verifikasi, but that is no reopening."""
    report = make_report(status=status, opd_code="dpupr" if status in ("terdisposisi", "selesai") else None)
    client = login("verifikator")
    page = html(client.get(f"/antrian/{report.id}"))
    assert page.find("form", id="form-reopen") is None
    response = client.post(f"/antrian/{report.id}/buka-kembali", data={
        "csrf_token": csrf_of(client, "/antrian"), "version": str(report.version), "reason": "Coba buka"})
    assert response.status_code == 422
    assert "tidak dapat diubah" in html(response).find(attrs={"role": "alert"}).get_text()
    assert _status_and_version(directory, report.id) == (status, report.version)
    assert _report_events(directory, report.id) == []


def test_reopening_without_the_csrf_token_is_refused(login, make_report, directory) -> None:
    report = make_report(status="ditolak")
    client = login("verifikator")
    values = form_values(html(client.get(f"/antrian/{report.id}")), "form-reopen")
    del values["csrf_token"]
    response = client.post(f"/antrian/{report.id}/buka-kembali", data=values | {"reason": "Salah tolak"})
    assert response.status_code == 403
    assert html(response).find("section", class_="error")["data-code"] == "csrf_failed"
    assert _status_and_version(directory, report.id) == ("ditolak", report.version)


def test_an_opd_liaison_cannot_reopen(login, make_report, directory) -> None:
    report = make_report(status="ditolak", opd_code="dpupr")
    client = login("opd")
    response = client.post(f"/antrian/{report.id}/buka-kembali", data={
        "csrf_token": csrf_of(client, "/opd"), "version": str(report.version), "reason": "Salah tolak"})
    assert response.status_code == 403
    assert _status_and_version(directory, report.id) == ("ditolak", report.version)
    assert _report_events(directory, report.id) == []


def test_a_rejected_report_is_found_through_the_status_filter(login, make_report) -> None:
    rejected = make_report("Spam promo pulsa", status="ditolak")
    make_report("Jalan rusak")
    client = login("verifikator")
    queue = html(client.get("/antrian"))
    assert str(rejected.id) not in [row["data-report-id"] for row in queue.select("tr[data-report-id]")]
    option = queue.select_one('form#filters select[name="status"] option[value="ditolak"]')
    assert option.get_text() == "Ditolak"
    filtered = html(client.get("/antrian", params=form_values(queue, "filters") | {"status": "ditolak"}))
    rows = filtered.select("tr[data-report-id]")
    assert [row["data-report-id"] for row in rows] == [str(rejected.id)]
    link = rows[0].find("a")["href"]
    assert html(client.get(link)).find("form", id="form-reopen") is not None


def test_verifying_a_report_without_a_category_never_picks_the_first_one(login, make_report, directory) -> None:
    """An unclear post has no category: the form must not offer the list's first category as chosen,
    or an unchanged submit (the "v" key) would label it Administrasi Kependudukan and train on that."""
    report = make_report("Info lowongan kerja di pemkab pak?", category=None, kecamatan_code=None)
    client = login("verifikator")
    page = html(client.get(f"/antrian/{report.id}"))
    chosen = page.select_one("#form-verify select[name=category] option[selected]")
    assert (chosen["value"], chosen.get_text()) == ("", "– pilih kategori –")
    facts = page.select_one("#report-category").get_text()
    assert "keyakinan" not in facts and "Kata kunci" not in facts  # the confidence of a guess not kept
    assert _post_form(client, report.id, "form-verify").status_code == 303
    with directory() as session:
        assert session.get(Report, report.id).category is None
        assert session.scalars(select(Label.category).where(Label.report_id == report.id)).one() is None
    categorised = html(client.get(f"/antrian/{make_report().id}"))
    assert categorised.select_one("#form-verify select[name=category] option[selected]")["value"] == "infrastruktur"
    assert "keyakinan 82%" in categorised.select_one("#report-category").get_text()
    assert "Kata kunci: jalan, rusak" in categorised.select_one("#report-category").get_text()  # "jalan desa" is one


def test_an_unclear_report_offers_the_models_guess_to_a_verifikator_who_finds_a_complaint(
        login, make_report, directory) -> None:
    """Its category stays empty (not routed, not counted); the guess is shown as one and preselected."""
    report = make_report("min jalan desa kami gmn ini", category=None, category_guess="infrastruktur")
    client = login("verifikator")
    page = html(client.get(f"/antrian/{report.id}"))
    facts = page.select_one("#report-category").get_text()
    assert facts.strip().startswith("–")
    assert page.select_one("#category-guess").get_text() == "(tebakan mesin bila ini aduan: Infrastruktur Jalan, " \
                                                            "Jembatan dan Drainase, keyakinan 82%)"
    assert "Kata kunci: jalan, rusak" in facts
    chosen = page.select_one("#form-verify select[name=category] option[selected]")
    assert chosen["value"] == "infrastruktur"
    assert _post_form(client, report.id, "form-verify").status_code == 303
    with directory() as session:
        verified = session.get(Report, report.id)
        assert (verified.category, verified.category_source) == ("infrastruktur", "human")
        assert session.scalars(select(Label.category).where(Label.report_id == report.id)).one() == "infrastruktur"
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(report.id),
                                                         AuditEvent.to_status == "terverifikasi")).one()
    assert event.details["machine_guess"] == "infrastruktur"
    assert event.details["corrected"]["category"] == {"from": None, "to": "infrastruktur"}
    after = html(client.get(f"/antrian/{report.id}"))
    assert after.select_one("#category-guess") is None  # a person's category needs no machine guess beside it


def test_the_reject_form_offers_the_flagged_reason_or_makes_the_verifikator_choose(login, make_report,
                                                                                   directory) -> None:
    asking, plain = make_report("Info lowongan kerja di pemkab pak?", category=None), make_report()
    with directory.begin() as session:
        session.add_all([ReportFlag(report_id=asking.id, code="unclear:question", reason="uji", source="model"),
                         ReportFlag(report_id=asking.id, code="low_confidence", reason="uji", source="model")])
    client = login("verifikator")
    chosen = html(client.get(f"/antrian/{asking.id}")).select_one("#form-reject select[name=reason] option[selected]")
    assert chosen["value"] == "question"
    assert _post_form(client, asking.id, "form-reject").status_code == 303
    unchosen = _post_form(client, plain.id, "form-reject")  # nothing flagged: no reason is chosen for the person
    assert unchosen.status_code == 400
    assert html(unchosen).select_one("#form-reject .error-text").get_text() == "Pilih alasan penolakan."
    with directory() as session:
        assert session.get(Report, asking.id).status == "ditolak"
        assert session.get(Report, plain.id).status == "perlu_verifikasi"
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                         AuditEvent.entity_id == str(asking.id))).one()
    assert event.reason == "question"


def test_a_preselection_the_form_cannot_offer_becomes_the_empty_choice(login, make_report, directory) -> None:
    """A select whose value is not among its options submits its first option: a report routed to an OPD
    deactivated since, or carrying a category the taxonomy no longer has, gets "– pilih … –" instead."""
    routed = make_report(status="terverifikasi", opd_code="distan")
    retired = make_report(category="kategori_lama")
    with directory.begin() as session:
        session.get(Opd, "distan").active = False
    client = login("verifikator")
    dispose = html(client.get(f"/antrian/{routed.id}")).select_one("#form-disposition option[selected]")
    assert dispose["value"] == ""
    verify = html(client.get(f"/antrian/{retired.id}")).select_one("#form-verify select[name=category] "
                                                                    "option[selected]")
    assert verify["value"] == ""
    assert _post_form(client, routed.id, "form-disposition").status_code == 400
    unchanged = _post_form(client, retired.id, "form-verify")
    assert unchanged.status_code == 400
    assert "tidak ada lagi di taksonomi" in html(unchanged).select_one("#form-verify .error-text").get_text()
    assert _post_form(client, retired.id, "form-verify", category="infrastruktur").status_code == 303
    with directory() as session:
        assert session.get(Report, routed.id).status == "terverifikasi"
        assert session.get(Report, retired.id).category == "infrastruktur"


def test_a_corrected_category_shows_no_confidence_or_terms_of_the_machines_guess(login, make_report) -> None:
    report = make_report(category="infrastruktur")
    client = login("verifikator")
    assert _post_form(client, report.id, "form-verify", category="kesehatan").status_code == 303
    facts = html(client.get(f"/antrian/{report.id}")).select_one("#report-category").get_text(" ", strip=True)
    assert facts.startswith("Kesehatan") and "petugas" in facts
    assert "82%" not in facts and "Kata kunci" not in facts
    row = html(client.get("/antrian?status=terverifikasi")).select_one(f"tr[data-report-id='{report.id}']")
    assert "82%" not in row.get_text()
    kept = make_report(category="infrastruktur")
    assert _post_form(client, kept.id, "form-verify").status_code == 303  # the machine's category confirmed
    assert "keyakinan 82%" in html(client.get(f"/antrian/{kept.id}")).select_one("#report-category").get_text()


def test_a_pending_report_goes_back_to_verification_when_the_reporter_answers(login, make_report,
                                                                               directory) -> None:
    report = make_report()
    client = login("verifikator")
    assert _post_form(client, report.id, "form-pending", message="Mohon sebutkan desanya").status_code == 303
    page = html(client.get(f"/antrian/{report.id}"))
    assert page.select_one("#form-resume") is not None and page.select_one("#form-verify") is None
    assert "dihentikan (menunggu pelapor)" in page.select_one("dl.facts").get_text()  # the clock stopped
    row = html(client.get("/antrian")).select_one(f"tr[data-report-id='{report.id}'] td.due")
    assert row.get_text(strip=True) == "dihentikan (menunggu pelapor)"
    assert _post_form(client, report.id, "form-resume", note="desa Sidoharjo, kata pelapor").status_code == 303
    with directory() as session:
        assert session.get(Report, report.id).status == "perlu_verifikasi"
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                         AuditEvent.entity_id == str(report.id))
                                .order_by(AuditEvent.id.desc())).first()
    assert (event.from_status, event.to_status, event.reason) == ("tertunda", "perlu_verifikasi",
                                                                   "desa Sidoharjo, kata pelapor")
    page = html(client.get(f"/antrian/{report.id}"))
    assert page.select_one("#form-resume") is None and page.select_one("#form-verify") is not None
    with directory() as session:
        resumed = session.get(Report, report.id)
    assert resumed.verify_due is not None and resumed.next_due_at == resumed.verify_due  # the clock runs again
    liaison = login("opd")
    token = csrf_of(liaison, "/opd")
    assert liaison.post(f"/antrian/{report.id}/lanjutkan", data={"csrf_token": token, "version": "3"}
                        ).status_code == 403
    assert RULES["queue.report:resume"] == REVIEWERS


def test_a_note_quoting_the_reporter_is_masked_for_roles_that_see_no_personal_data(login, make_report) -> None:
    report = make_report()
    client = login("verifikator")
    assert _post_form(client, report.id, "form-pending", message="Mohon nomor HP").status_code == 303
    assert _post_form(client, report.id, "form-resume", note="Pelapor: HP 081234567890, NIK 1801012345678901"
                      ).status_code == 303
    assert _post_form(client, report.id, "form-verify").status_code == 303
    assert _post_form(client, report.id, "form-disposition", opd_code="dpupr").status_code == 303
    mine = html(client.get(f"/antrian/{report.id}")).select_one("section.history").get_text()
    assert "081234567890" in mine  # the verifikator calls the reporter back
    theirs = html(login("opd").get(f"/opd/laporan/{report.id}")).select_one("section.history").get_text()
    assert "081234567890" not in theirs and "1801012345678901" not in theirs and "Pelapor: HP" in theirs
