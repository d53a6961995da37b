"""The models page: promote and rollback with the same macro-F1 gate as `pilah models promote`;
only admin may force; a stale page gets a conflict; every change is an audit event."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sklearn.dummy import DummyClassifier
from sqlalchemy import select
from web_helpers import html

from classify.registry import save_model
from pilah.learning import read_staff_labels
from pilah.schema import AuditEvent, Label


def _version(root: Path, name: str, macro_f1: float, evaluation_set: str = "seed-2026.1") -> None:
    """A version whose model is a small placeholder: the page and the gate read only its card."""
    card = {"created_at": "2026-03-01T00:00:00+00:00",
            "metrics": {"macro_f1": macro_f1, "accuracy": macro_f1, "evaluation_set": evaluation_set}}
    save_model(root / name, DummyClassifier(), card)


@pytest.fixture
def registry(models_dir: Path) -> Path:
    """Active v1 (0.80); candidates v2-worse (0.70) and v3-better (0.83), all on one evaluation set."""
    for name, f1 in (("v1", 0.80), ("v2-worse", 0.70), ("v3-better", 0.83)):
        _version(models_dir, name, f1)
    (models_dir / "ACTIVE").write_text("v1\n", encoding="utf-8")
    return models_dir


STAFF_LABELS = (("jalan desa berlubang", "infrastruktur"), ("jembatan ambrol", "infrastruktur"),
                ("ktp belum jadi", "adminduk"), ("akta kelahiran ditolak", "adminduk"))


def _staff_labels(directory, data_dir: Path) -> str:
    """The labels table as a verifikator's day leaves it; their hash, as a model trained on them records it."""
    with directory.begin() as session:
        session.add_all([Label(text=text, category=category, source="verifikasi", labeller="verifikator",
                               taxonomy_version="2026.2") for text, category in STAFF_LABELS])
    with directory() as session:
        return read_staff_labels(session, data_dir)[0].digest


def _promote_form(client, version: str) -> tuple[str, dict[str, str]]:
    page = html(client.get("/model"))
    form = page.select_one(f"tr[data-version='{version}'] form.promote")
    fields = form.find_all("input")
    values = {field["name"]: field.get("value", "") for field in fields if field.get("type") != "checkbox"}
    return form["action"], values


def _active(registry: Path) -> str:
    return (registry / "ACTIVE").read_text(encoding="utf-8").strip()


def _model_events(directory) -> list[tuple[str, str, dict]]:
    with directory() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "model").order_by(AuditEvent.id))
        return [(event.action, event.entity_id, event.details) for event in rows]


def test_page_shows_versions_and_the_force_box_only_to_admin(login, registry) -> None:
    analyst = html(login("analis").get("/model"))
    assert analyst.select_one("#active-model").get_text() == "v1"
    assert [row["data-version"] for row in analyst.select("tr[data-version]")] == ["v3-better", "v2-worse", "v1"]
    assert analyst.select("input[name=force]") == []
    assert len(html(login("admin").get("/model")).select("input[name=force]")) == 2


def test_training_times_are_office_local_and_read_as_dates(login, registry) -> None:
    """The cards say 2026-03-01T00:00:00+00:00: 07.00 in Lampung (WIB), as every other page writes times."""
    cells = html(login("analis").get("/model")).select("tr[data-version] td:nth-of-type(3)")
    assert {cell.get_text() for cell in cells} == {"1 Maret 2026 07.00"}


def test_gate_refuses_a_worse_candidate_as_a_form_error(login, registry, directory) -> None:
    client = login("analis")
    action, values = _promote_form(client, "v2-worse")
    response = client.post(action, data=values)
    assert response.status_code == 400
    assert html(response).select_one("#error-promote").get_text().startswith("Promosi ditolak: ")
    assert _active(registry) == "v1" and _model_events(directory) == []


def test_only_admin_may_force_past_the_gate(login, registry, directory) -> None:
    analyst = login("analis")
    action, values = _promote_form(analyst, "v2-worse")
    assert analyst.post(action, data=values | {"force": "1"}).status_code == 403
    assert _active(registry) == "v1"
    admin = login("admin")
    action, values = _promote_form(admin, "v2-worse")
    assert admin.post(action, data=values | {"force": "1", "note": "uji lapangan"}).status_code == 303
    assert _active(registry) == "v2-worse"
    assert _model_events(directory) == [("promote", "v2-worse", {"previous": "v1", "forced": True})]


def test_promote_a_better_candidate_then_roll_back(login, registry, directory) -> None:
    client = login("analis")
    action, values = _promote_form(client, "v3-better")
    assert client.post(action, data=values).status_code == 303
    assert _active(registry) == "v3-better"
    page = html(client.get("/model"))
    rollback = {field["name"]: field.get("value", "") for field in page.select("#form-rollback input")}
    assert client.post("/model/rollback", data=rollback).status_code == 303
    assert _active(registry) == "v1"
    assert [(action, version) for action, version, _ in _model_events(directory)] == [
        ("promote", "v3-better"), ("rollback", "v1")]


def test_stale_page_gets_a_conflict_and_nothing_changes(login, registry, directory) -> None:
    first, second = login("analis"), login("admin")
    stale_action, stale = _promote_form(second, "v2-worse")
    action, values = _promote_form(first, "v3-better")
    assert first.post(action, data=values).status_code == 303
    response = second.post(stale_action, data=stale | {"force": "1"})
    assert response.status_code == 409
    page = html(response)
    assert page.select_one("#conflict") is not None and page.select_one("#active-model").get_text() == "v3-better"
    assert _active(registry) == "v3-better"


def test_promote_without_csrf_token_is_refused(login, registry) -> None:
    client = login("analis")
    action, values = _promote_form(client, "v3-better")
    del values["csrf_token"]
    assert client.post(action, data=values).status_code == 403
    assert _active(registry) == "v1"


def test_a_versions_confidence_table_marks_the_offices_threshold(login, models_dir: Path) -> None:
    """The table is how an analyst chooses abstain_below (0.5 in the test settings): its row is bold."""
    levels = [{"at_least": 0.3, "share": 1.0, "accuracy": 0.75}, {"at_least": 0.5, "share": 0.91, "accuracy": 0.78},
              {"at_least": 0.9, "share": 0.0, "accuracy": None}]
    card = {"created_at": "2026-03-01T00:00:00+00:00",
            "metrics": {"macro_f1": 0.73, "accuracy": 0.75, "evaluation_set": "x", "confidence": levels}}
    save_model(models_dir / "purbalingga-1", DummyClassifier(), card)
    _version(models_dir, "older", 0.7)
    page = html(login("analis").get("/model"))
    rows = page.select("tr[data-version='purbalingga-1'] table.confidence tr")
    cells = [[cell.get_text() for cell in row.find_all("td")] for row in rows[1:]]
    assert cells == [["0.3", "100.0 %", "75.0 %"], ["0.5", "91.0 %", "78.0 %"], ["0.9", "0.0 %", "–"]]
    assert [row.get("class") for row in rows[1:]] == [None, ["threshold"], None]
    assert page.select("tr[data-version='older'] table.confidence") == []


@pytest.mark.parametrize(("abstain_below", "bold"), [(0.9, "0.9"), (0.55, "0.5"), (0.65, "0.5"), (0.2, None)])
def test_the_bold_row_is_the_offices_threshold_or_the_level_below_it(app, login, models_dir: Path,
                                                                      abstain_below: float, bold: str | None) -> None:
    levels = [{"at_least": level, "share": 0.5, "accuracy": 0.9} for level in (0.3, 0.5, 0.9)]
    card = {"created_at": "2026-03-01T00:00:00+00:00",
            "metrics": {"macro_f1": 0.73, "accuracy": 0.75, "evaluation_set": "x", "confidence": levels}}
    save_model(models_dir / "v1", DummyClassifier(), card)
    app.state.settings = app.state.settings.model_copy(update={"abstain_below": abstain_below})
    page = html(login("analis").get("/model"))
    bolded = [row.find("td").get_text() for row in page.select("table.confidence tr.threshold")]
    assert bolded == ([bold] if bold else [])
    assert f"abstain_below ({abstain_below})" in page.select_one("details.confidence small").get_text()


def test_labels_without_a_category_are_named_so_among_the_new_labels(login, registry, make_report,
                                                                    directory) -> None:
    report = make_report()
    with directory.begin() as session:
        session.add_all([Label(report_id=report.id, text="x", category=None, source="dibuka_kembali", labeller="v"),
                         Label(report_id=report.id, text="x", category="kesehatan", source="verifikasi",
                               labeller="v")])
    text = html(login("analis").get("/model")).select_one("#new-labels").parent.get_text(" ", strip=True)
    assert "tanpa kategori: 1" in text and "Kesehatan: 1" in text and "-: 1" not in text


def test_labels_count_as_unlearned_until_a_model_trained_on_them_is_active(login, registry, directory) -> None:
    """v1 came from the seed corpus: a label written before it was trained is still one it never learned."""
    with directory.begin() as session:
        session.add(Label(text="jalan desa berlubang", category="infrastruktur", source="verifikasi",
                          labeller="v", created_at=datetime(2026, 1, 5, tzinfo=UTC)))
    client = login("analis")
    assert html(client.get("/model")).select_one("#new-labels").get_text() == "1"
    save_model(registry / "v4-labels", DummyClassifier(), {
        "created_at": "2026-03-01T00:00:00+00:00", "training_data": {"labels_sha256": "abc"},
        "metrics": {"macro_f1": 0.8, "evaluation_set": "seed-2026.1"}})
    (registry / "ACTIVE").write_text("v4-labels\n", encoding="utf-8")
    assert html(client.get("/model")).select_one("#new-labels").get_text() == "0"


def test_a_model_retrained_from_the_staff_labels_is_promoted_on_them(login, registry, directory, settings) -> None:
    """Its card's k-fold (seed and labels together) is on other data than the active card's, so the page's gate
    scores both on the labels: the active model directly, the candidate by its own out-of-fold figure on them."""
    digest = _staff_labels(directory, settings.data_dir)
    always_roads = DummyClassifier(strategy="constant", constant="infrastruktur").fit(["x"], ["infrastruktur"])
    save_model(registry / "v1", always_roads, {"metrics": {"macro_f1": 0.80, "evaluation_set": "seed-2026.1"}})
    for name, f1 in (("labels-good", 0.90), ("labels-poor", 0.20)):
        save_model(registry / name, DummyClassifier(), {
            "training_data": {"source": "seed+labels", "labels_sha256": digest},
            "metrics": {"macro_f1": 0.95, "evaluation_set": f"5-fold:{name}",
                        "staff_labels": {"macro_f1": f1, "rows": 4, "labels_sha256": digest}}})
    client = login("analis")
    action, values = _promote_form(client, "labels-poor")
    refused = client.post(action, data=values)
    assert refused.status_code == 400 and "0.200" in html(refused).select_one("#error-promote").get_text()
    action, values = _promote_form(client, "labels-good")
    assert client.post(action, data=values).status_code == 303
    assert _active(registry) == "labels-good"
    (event,) = _model_events(directory)
    assert event[:2] == ("promote", "labels-good")
    assert event[2]["staff_labels"] == {"rows": 4, "candidate": 0.9, "active": 0.3333}
