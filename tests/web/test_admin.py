"""The admin's directory pages: OPDs (add, edit, deactivate), routing rules (every edit recorded with
editor, time and note) and the read-only taxonomy."""

from __future__ import annotations

from sqlalchemy import select
from web_helpers import csrf_of, form_values, html

from classify.taxonomy import load_taxonomy
from pilah import PROJECT_ROOT
from pilah.schema import AuditEvent, Opd, RoutingRule, RoutingRuleChange
from pilah.web import directory as web_directory
from pilah.web.app import create_app
from triage.routing import route


def _submit(client, path: str, form_id: str, **fields):
    page = html(client.get(path))
    return client.post(page.find("form", id=form_id)["action"], data=form_values(page, form_id) | fields)


def _rule_id(directory, category: str, kecamatan_code: str | None = None) -> int:
    with directory() as session:
        return session.scalars(select(RoutingRule.id).where(
            RoutingRule.category == category, RoutingRule.kecamatan_code.is_(None) if kecamatan_code is None
            else RoutingRule.kecamatan_code == kecamatan_code)).one()


def test_admin_adds_an_opd_and_bad_fields_are_rerendered(login, directory) -> None:
    client = login("admin")
    bad = _submit(client, "/admin/opd", "form-opd", code="Dinas Baru!", name="", kind="dinas", kecamatan="99.99")
    assert bad.status_code == 400
    errors = [e.get_text() for e in html(bad).select("#form-opd .error-text")]
    assert errors == ["Kode OPD: 2–40 huruf kecil, angka atau tanda hubung.", "Nama OPD wajib diisi.",
                      "Kode kecamatan tidak dikenal di kabupaten ini."]
    taken = _submit(client, "/admin/opd", "form-opd", code="dpupr", name="Dinas PUPR lagi", kind="dinas")
    assert html(taken).select_one("#form-opd .error-text").get_text() == "Kode OPD ini sudah dipakai."
    good = _submit(client, "/admin/opd", "form-opd", code="bpbd", name="Badan Penanggulangan Bencana Daerah",
                   short_name="BPBD", kind="badan")
    assert good.status_code == 303
    with directory() as session:
        opd = session.get(Opd, "bpbd")
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "opd",
                                                         AuditEvent.actor == "u-admin-x")).one()
    assert (opd.name, opd.short_name, opd.kind, opd.active) == ("Badan Penanggulangan Bencana Daerah", "BPBD",
                                                                 "badan", True)
    assert (event.entity_id, event.action, event.actor) == ("bpbd", "create", "u-admin-x")
    assert html(client.get("/admin/opd")).select_one("tr[data-opd=bpbd]") is not None


def test_admin_edits_and_deactivates_an_opd_and_routing_skips_it(login, directory) -> None:
    client = login("admin")
    edited = _submit(client, "/admin/opd/dpmd", "form-opd-edit", short_name="DPMD Lamsel", note="nama baru")
    assert edited.status_code == 303
    assert _submit(client, "/admin/opd/dpmd", "form-opd-toggle", note="dilebur").status_code == 303
    with directory() as session:
        opd = session.get(Opd, "dpmd")
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == "dpmd",
                                                                  AuditEvent.actor == "u-admin-x")
                                  .order_by(AuditEvent.id)).all()
        assert route(session, "pemerintahan_desa", None).opd_code != "dpmd"
    assert (opd.short_name, opd.active) == ("DPMD Lamsel", False)
    assert actions == ["update", "deactivate"]
    assert html(client.get("/admin/opd/dpmd")).select_one("#opd-active").get_text() == "nonaktif"


def test_the_default_route_opd_cannot_be_deactivated(login, directory) -> None:
    client = login("admin")
    response = _submit(client, "/admin/opd/diskominfo", "form-opd-toggle")
    assert response.status_code == 400
    assert "rute bawaan" in html(response).find(attrs={"role": "alert"}).get_text()
    with directory() as session:
        assert session.get(Opd, "diskominfo").active is True


def test_rule_edit_is_recorded_with_editor_time_and_note(login, directory) -> None:
    rule_id = _rule_id(directory, "infrastruktur")
    client = login("admin")
    missing_note = _submit(client, f"/admin/aturan/{rule_id}", "form-rule-edit", opd_code="dpmd", active="1")
    assert missing_note.status_code == 400
    assert html(missing_note).select_one("#form-rule-edit .error-text").get_text() == "Tulis alasan perubahan."
    response = _submit(client, f"/admin/aturan/{rule_id}", "form-rule-edit", opd_code="dpmd", active="1",
                       change_note="jalan desa ke DPMD")
    assert response.status_code == 303
    with directory() as session:
        rule = session.get(RoutingRule, rule_id)
        change = session.scalars(select(RoutingRuleChange).where(RoutingRuleChange.rule_id == rule_id)
                                 .order_by(RoutingRuleChange.id.desc())).first()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "routing_rule",
                                                         AuditEvent.actor == "u-admin-x")).one()
    assert (rule.opd_code, rule.updated_by) == ("dpmd", "u-admin-x")
    assert (change.editor, change.note, change.before["opd_code"], change.after["opd_code"]) == (
        "u-admin-x", "jalan desa ke DPMD", "dpupr", "dpmd")
    assert change.at is not None and audit.reason == "jalan desa ke DPMD"
    history = html(client.get(f"/admin/aturan/{rule_id}")).select("#rule-changes tbody tr")
    assert "jalan desa ke DPMD" in history[0].get_text()


def test_a_rule_whose_opd_was_deactivated_keeps_it_unless_the_admin_chooses_another(login, directory) -> None:
    """The form lists active OPDs only: the rule's own, deactivated since, stays chosen (marked), so that
    switching the rule off or editing its note never moves it to the list's first office."""
    rule_id = _rule_id(directory, "infrastruktur")
    with directory.begin() as session:
        session.get(Opd, "dpupr").active = False
    client = login("admin")
    chosen = html(client.get(f"/admin/aturan/{rule_id}")).select_one("#form-rule-edit option[selected]")
    assert chosen["value"] == "dpupr" and "nonaktif" in chosen.get_text()
    response = _submit(client, f"/admin/aturan/{rule_id}", "form-rule-edit", active="", change_note="PUPR dilebur")
    assert response.status_code == 303
    with directory() as session:
        rule = session.get(RoutingRule, rule_id)
        assert (rule.opd_code, rule.active) == ("dpupr", False)
    switched_on = _submit(client, f"/admin/aturan/{rule_id}", "form-rule-edit", active="1", change_note="aktifkan")
    assert switched_on.status_code == 400  # an active rule must route to an OPD that takes reports
    assert html(switched_on).select_one("#form-rule-edit .error-text").get_text() == "Pilih OPD yang aktif."
    added = html(client.get("/admin/aturan"))
    assert [o["value"] for o in added.select("#form-rule option[selected]")] == ["", ""]
    unchosen = _submit(client, "/admin/aturan", "form-rule", note="uji")
    assert [e.get_text() for e in html(unchosen).select("#form-rule .error-text")] == [
        "Kategori tidak dikenal.", "Pilih OPD yang aktif."]


def test_admin_adds_a_kecamatan_rule_and_a_duplicate_key_is_refused(login, directory) -> None:
    client = login("admin")
    response = _submit(client, "/admin/aturan", "form-rule", category="kesehatan", kecamatan_code="18.01.04",
                       opd_code="kec-natar", note="puskesmas keliling")
    assert response.status_code == 303
    rule_id = _rule_id(directory, "kesehatan", "18.01.04")
    with directory() as session:
        change = session.scalars(select(RoutingRuleChange).where(RoutingRuleChange.rule_id == rule_id)).one()
        assert route(session, "kesehatan", "18.01.04").opd_code == "kec-natar"
    assert (change.action, change.editor) == ("create", "u-admin-x")
    again = _submit(client, "/admin/aturan", "form-rule", category="kesehatan", kecamatan_code="18.01.04",
                    opd_code="dinkes", note="uji")
    assert again.status_code == 400
    assert "Sudah ada aturan" in html(again).find(attrs={"role": "alert"}).get_text()
    unknown = _submit(client, "/admin/aturan", "form-rule", category="tidak-ada", opd_code="nihil")
    assert [e.get_text() for e in html(unknown).select("#form-rule .error-text")] == [
        "Kategori tidak dikenal.", "Pilih OPD yang aktif.", "Tulis alasan aturan ini."]


def test_taxonomy_page_lists_categories_with_default_opd_and_says_where_to_change_it(login) -> None:
    page = html(login("admin").get("/admin/taksonomi"))
    row = page.select_one("tr[data-category=adminduk]")
    assert "Disdukcapil" in row.get_text()
    assert "data/taxonomy.toml" in page.select_one("#taxonomy-where").get_text()
    assert page.find("form", attrs={"method": "post", "id": lambda v: v and "taxonomy" in v}) is None


def _declared_changes(page) -> list[tuple[str, list[tuple[str, str]], str]]:
    """Each listed change: its version, its narrowed categories (label, slug) and its explanation."""
    return [(row["data-version"], [(c.get_text(), c["title"]) for c in row.select("span.category")],
             row.select("td")[-1].get_text()) for row in page.select("#taxonomy-changes tr[data-version]")]


def test_taxonomy_page_lists_each_declared_change_with_the_narrowed_categories_and_what_it_means(login) -> None:
    """data/taxonomy.toml's [[change]] entries: which staff labels `pilah train --labels` no longer trains on."""
    taxonomy = load_taxonomy(PROJECT_ROOT / "data" / "taxonomy.toml")
    client = login("admin")
    listed = _declared_changes(html(client.get("/admin/taksonomi")))
    assert [(version, slugs) for version, slugs, _ in listed] == [
        (change.version, [(taxonomy.get(slug).label_id, slug) for slug in change.narrowed])
        for change in taxonomy.changes]
    _, narrowed, explained = next(change for change in listed if change[0] == "2026.2")
    assert [slug for _, slug in narrowed] == ["sosial", "infrastruktur", "perhubungan"]
    assert explained == ("Label petugas untuk kategori ini yang ditulis sebelum versi 2026.2 tidak dipakai untuk "
                         "melatih model sampai laporannya diverifikasi ulang.")
    client.get("/bahasa/en?next=/admin/taksonomi")
    page = html(client.get("/admin/taksonomi"))
    assert page.select_one("#taxonomy-changes h2").get_text() == "Taxonomy changes"
    _, narrowed, explained = next(change for change in _declared_changes(page) if change[0] == "2026.2")
    assert narrowed == [(taxonomy.get(slug).label_en, slug) for slug in ("sosial", "infrastruktur", "perhubungan")]
    assert explained == ("Staff labels of these categories written before version 2026.2 are not used to train a "
                         "model until the report is verified again.")


_TAXONOMY_WITH_TWO_CHANGES = """version = "2027.1"

[[category]]
slug = "jalan"
label_id = "Jalan <b>rusak</b>"
label_en = "Roads"
description = "Jalan"
default_opd = "dpupr"

[[category]]
slug = "air"
label_id = "Air bersih"
label_en = "Clean water"
description = "PDAM"
default_opd = "dpupr"

[[change]]
version = "2026.2"
narrowed = ["jalan"]

[[change]]
version = "2027.1"
narrowed = ["air", "jalan"]
"""


def test_every_declared_change_is_listed_in_order_and_its_labels_stay_text(app, login, tmp_path,
                                                                         monkeypatch) -> None:
    (tmp_path / "taxonomy.toml").write_text(_TAXONOMY_WITH_TWO_CHANGES, encoding="utf-8")
    monkeypatch.setattr(app.state, "settings", app.state.settings.model_copy(update={"data_dir": tmp_path}))
    page = html(login("admin").get("/admin/taksonomi"))
    assert [(version, narrowed) for version, narrowed, _ in _declared_changes(page)] == [
        ("2026.2", [("Jalan <b>rusak</b>", "jalan")]),
        ("2027.1", [("Air bersih", "air"), ("Jalan <b>rusak</b>", "jalan")])]
    assert page.select_one("#taxonomy-changes b") is None
    assert "sebelum versi 2027.1 " in _declared_changes(page)[1][2]


def test_a_taxonomy_without_declared_changes_shows_no_changes_section(app, login, tmp_path, monkeypatch) -> None:
    (tmp_path / "taxonomy.toml").write_text(_TAXONOMY_WITH_TWO_CHANGES.split("[[change]]")[0], encoding="utf-8")
    monkeypatch.setattr(app.state, "settings", app.state.settings.model_copy(update={"data_dir": tmp_path}))
    page = html(login("admin").get("/admin/taksonomi"))
    assert page.select_one("tr[data-category=air]") is not None and page.select_one("#taxonomy-changes") is None


def test_directory_edits_without_csrf_token_are_refused(login, directory) -> None:
    client = login("admin")
    csrf_of(client, "/admin/opd")
    response = client.post("/admin/opd", data={"code": "bpbd", "name": "BPBD", "kind": "badan"})
    assert response.status_code == 403
    with directory() as session:
        assert session.get(Opd, "bpbd") is None


def test_directory_pages_are_admin_only(login) -> None:
    for role in ("verifikator", "opd", "analis", "pimpinan"):
        assert login(role).get("/admin/aturan").status_code == 403, role


def test_directory_pages_render_in_english(login) -> None:
    client = login("admin")
    client.get("/bahasa/en?next=/admin/taksonomi")
    page = html(client.get("/admin/taksonomi"))
    assert page.find("h1").get_text().startswith("Category taxonomy")
    assert page.select_one("#taxonomy-where").get_text().startswith("The taxonomy is configuration: edit "
                                                                    "data/taxonomy.toml")
    assert html(client.get("/admin/aturan")).find("h1").get_text() == "Routing rules"


def _short_names(directory) -> dict[str, str]:
    with directory() as session:
        return {opd.code: opd.short_name for opd in session.scalars(select(Opd))}


def test_routing_rules_name_their_opds_and_keep_the_code_in_the_title(login, directory) -> None:
    rule_id, names = _rule_id(directory, "infrastruktur"), _short_names(directory)
    client = login("admin")
    row = html(client.get("/admin/aturan")).select_one(f"tr[data-rule-id='{rule_id}']")
    cell = row.select("td")[3]
    assert (cell.get_text(), cell.select_one(".opd")["title"]) == (names["dpupr"], "dpupr")
    assert _submit(client, f"/admin/aturan/{rule_id}", "form-rule-edit", opd_code="dpmd",
                   change_note="jalan desa ke DPMD").status_code == 303
    with directory.begin() as session:
        session.get(Opd, "dpupr").active = False  # a dissolved office in a rule's history is still named
    page = html(client.get(f"/admin/aturan/{rule_id}"))
    assert page.select_one("#rule-opd").get_text() == names["dpmd"]
    assert page.select_one("#rule-opd .opd")["title"] == "dpmd"
    changes = page.select("#rule-changes tbody tr")
    action, before, after = (changes[0].select("td")[i] for i in (2, 3, 4))
    assert (action.get_text(), before.select_one(".opd").get_text(), after.select_one(".opd").get_text()) == (
        "Diubah", names["dpupr"], names["dpmd"])
    assert [before.select_one(".opd")["title"], after.select_one(".opd")["title"]] == ["dpupr", "dpmd"]
    visible = " ".join(td.get_text() for tr in changes for td in tr.select("td"))
    assert "dpupr" not in visible and "dpmd" not in visible and "update" not in visible and "create" not in visible
    client.cookies.set("pilah_lang", "en")
    actions = [tr.select("td")[2].get_text() for tr in html(client.get(f"/admin/aturan/{rule_id}")).select(
        "#rule-changes tbody tr")]
    assert actions[0] == "Changed" and set(actions) <= {"Changed", "Created"}


def test_opd_kinds_read_as_words(login) -> None:
    client = login("admin")
    page = html(client.get("/admin/opd"))
    kinds = {tr["data-opd"]: tr.select("td")[3].get_text() for tr in page.select("tr[data-opd]")}
    assert kinds["dpupr"] == "Dinas" and kinds["kec-natar"] == "Kecamatan"
    assert not {"dinas", "badan", "bagian", "kecamatan", "lainnya"} & set(kinds.values())
    options = {o["value"]: o.get_text() for o in page.select("#form-opd select[name=kind] option")}
    assert options["lainnya"] == "Lainnya" and options["dinas"] == "Dinas"
    client.cookies.set("pilah_lang", "en")
    assert html(client.get("/admin/opd/dpupr")).select_one(
        "#form-opd-edit select[name=kind] option[selected]").get_text() == "Agency (dinas)"


def test_an_edit_of_the_taxonomy_file_is_named_until_restart_and_never_shown_half_applied(app, login, tmp_path,
                                                                                          monkeypatch) -> None:
    """The page shows the taxonomy staff choose from and labels are versioned by, all of one reading."""
    path = tmp_path / "taxonomy.toml"
    path.write_text(_TAXONOMY_WITH_TWO_CHANGES, encoding="utf-8")
    monkeypatch.setattr(app.state, "settings", app.state.settings.model_copy(update={"data_dir": tmp_path}))
    client = login("admin")
    assert html(client.get("/admin/taksonomi")).select_one("#taxonomy-edited") is None
    path.write_text(_TAXONOMY_WITH_TWO_CHANGES.replace('slug = "air"', 'slug = "air_minum"')
                    .replace('version = "2027.1"\n\n[[category]]', 'version = "2027.2"\n\n[[category]]', 1),
                    encoding="utf-8")
    page = html(client.get("/admin/taksonomi"))
    assert "versi 2027.1" in page.select_one("#taxonomy-edited").get_text()
    assert page.select_one("h1 small").get_text() == "2027.1"
    assert page.select_one("tr[data-category=air]") is not None
    assert page.select_one("tr[data-category=air_minum]") is None
    assert [version for version, _, _ in _declared_changes(page)] == ["2026.2", "2027.1"]


def test_the_app_reads_the_taxonomy_when_it_starts_not_at_its_first_page(settings, directory, tmp_path) -> None:
    """Every worker starts with the same taxonomy, whatever the file says by the time it serves a page."""
    path = tmp_path / "taxonomy.toml"
    path.write_text(_TAXONOMY_WITH_TWO_CHANGES, encoding="utf-8")
    create_app(settings.model_copy(update={"data_dir": tmp_path}), directory)
    path.write_text(_TAXONOMY_WITH_TWO_CHANGES.replace('version = "2027.1"\n\n[[category]]',
                                                       'version = "2027.2"\n\n[[category]]', 1), encoding="utf-8")
    assert web_directory.taxonomy(tmp_path).version == "2027.1"
