"""Duplicate groups on the report page: mark duplicate of, merge two groups, split from a group.

Each goes through triage.groups (audit event, group flags), refuses a stale version with 409 and
the current state, and re-renders field errors for a report number that cannot be used."""

from __future__ import annotations

from sqlalchemy import select
from web_helpers import form_values, html

from pilah.schema import AuditEvent, Report


def _submit(client, report_id: int, form_id: str, **fields):
    page = html(client.get(f"/antrian/{report_id}"))
    return client.post(page.find("form", id=form_id)["action"], data=form_values(page, form_id) | fields)


def _heads(directory, *ids: int) -> list[int | None]:
    with directory() as session:
        return [session.get(Report, report_id).duplicate_of_id for report_id in ids]


def _events(directory, report_id: int) -> list[tuple[str, str]]:
    with directory() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "report",
                                                        AuditEvent.entity_id == str(report_id)))
        return [(event.action, event.actor) for event in rows]


def test_mark_duplicate_moves_the_report_into_the_other_group_with_an_audit_event(login, make_report,
                                                                                   directory) -> None:
    original = make_report("Lampu jalan mati di Jl. Raya Natar")
    repeat = make_report("Lampu jalan mati Jl Raya Natar sudah seminggu")
    response = _submit(login("verifikator"), repeat.id, "form-duplicate", other_id=f"#{original.id}",
                       note="pelapor lain, lokasi sama")
    assert response.status_code == 303
    assert _heads(directory, repeat.id, original.id) == [original.id, None]
    assert _events(directory, repeat.id) == [("group_merge", "u-verifikator-x")]
    page = html(login("verifikator").get(f"/antrian/{original.id}"))
    assert "2 pelapor" in page.select_one("section.group h3").get_text()
    history = html(login("verifikator").get(f"/antrian/{repeat.id}")).select_one("section.history").get_text()
    assert "Grup duplikat digabung" in history and "→" not in history.split("Grup duplikat digabung")[1]


def test_member_marked_duplicate_of_another_report_leaves_its_old_group_alone(login, make_report,
                                                                               directory) -> None:
    head = make_report("Sampah menumpuk di pasar")
    member = make_report("Sampah di pasar menumpuk", duplicate_of_id=head.id, duplicate_kind="near")
    other = make_report("Jalan rusak di Tanjung Bintang")
    assert _submit(login("admin"), member.id, "form-duplicate", other_id=str(other.id)).status_code == 303
    assert _heads(directory, member.id, head.id, other.id) == [other.id, None, None]
    assert [action for action, _ in _events(directory, member.id)] == ["group_split", "group_merge"]


def test_merge_folds_the_other_group_into_this_one(login, make_report, directory) -> None:
    keep = make_report("Banjir di Jati Agung")
    other_head = make_report("Banjir Jati Agung lagi")
    other_member = make_report("Jati Agung banjir", duplicate_of_id=other_head.id, duplicate_kind="near")
    response = _submit(login("verifikator"), keep.id, "form-merge", other_id=str(other_member.id))
    assert response.status_code == 303
    assert _heads(directory, other_head.id, other_member.id, keep.id) == [keep.id, keep.id, None]
    assert _events(directory, other_head.id) == [("group_merge", "u-verifikator-x")]


def test_split_takes_a_member_out_of_its_group(login, make_report, directory) -> None:
    head = make_report("Air PDAM mati")
    member = make_report("PDAM mati sejak pagi", duplicate_of_id=head.id, duplicate_kind="near")
    client = login("verifikator")
    assert html(client.get(f"/antrian/{head.id}")).find("form", id="form-split") is not None
    assert _submit(client, member.id, "form-split", note="keluhan berbeda").status_code == 303
    assert _heads(directory, member.id) == [None]
    assert _events(directory, member.id) == [("group_split", "u-verifikator-x")]
    assert html(client.get(f"/antrian/{member.id}")).find("form", id="form-split") is None


def test_split_of_a_report_outside_any_group_is_a_form_error(login, make_report) -> None:
    alone = make_report()
    client = login("verifikator")
    values = form_values(html(client.get(f"/antrian/{alone.id}")), "form-duplicate")
    response = client.post(f"/antrian/{alone.id}/pisah-grup", data=values)
    assert response.status_code == 400
    assert html(response).select_one("#form-split .error-text").get_text() == (
        "Laporan ini tidak berada dalam grup duplikat.")


def test_unknown_or_same_group_report_number_rerenders_with_field_errors(login, make_report, directory) -> None:
    head = make_report("Jembatan putus")
    member = make_report("Jembatan putus lagi", duplicate_of_id=head.id, duplicate_kind="near")
    client = login("verifikator")
    cases = {"abc": "Tulis nomor laporan, misalnya 123.", "999999": "Laporan dengan nomor itu tidak ada.",
             str(member.id): "Laporan ini sudah satu grup dengan laporan itu.",
             str(head.id): "Pilih laporan lain, bukan laporan ini sendiri."}
    for typed, message in cases.items():
        response = _submit(client, head.id, "form-duplicate", other_id=typed)
        assert response.status_code == 400, typed
        assert html(response).select_one("#form-duplicate .error-text").get_text() == message
        assert html(response).select_one("#form-merge .error-text") is None
    assert _heads(directory, head.id, member.id) == [None, head.id]


def test_stale_version_gets_a_conflict_and_the_current_state_and_changes_nothing(login, make_report,
                                                                               directory) -> None:
    original = make_report("Lampu jalan mati")
    report = make_report("Lampu jalan mati juga")
    first, second = login("verifikator"), login("admin")
    stale = form_values(html(second.get(f"/antrian/{report.id}")), "form-duplicate")
    assert _submit(first, report.id, "form-verify").status_code == 303
    response = second.post(f"/antrian/{report.id}/duplikat", data=stale | {"other_id": str(original.id)})
    assert response.status_code == 409
    page = html(response)
    assert page.select_one("#conflict") is not None
    assert page.select_one("#report-status").get_text(strip=True) == "Terverifikasi"
    assert _heads(directory, report.id) == [None]
    assert [action for action, _ in _events(directory, report.id)] == ["transition"]


def test_group_actions_without_csrf_token_are_refused(login, make_report, directory) -> None:
    original, report = make_report("Satu"), make_report("Dua")
    client = login("verifikator")
    values = form_values(html(client.get(f"/antrian/{report.id}")), "form-duplicate")
    del values["csrf_token"]
    response = client.post(f"/antrian/{report.id}/duplikat", data=values | {"other_id": str(original.id)})
    assert response.status_code == 403
    assert html(response).find("section", class_="error")["data-code"] == "csrf_failed"
    assert _heads(directory, report.id) == [None]
