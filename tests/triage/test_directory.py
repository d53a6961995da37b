"""Loading OPDs and routing rules from data/: idempotent, and every rule edit recorded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pilah.schema import AuditEvent, Opd, RoutingRule, RoutingRuleChange
from triage.directory import DEFAULT_CATEGORY, sync_directory, taxonomy_labels
from triage.errors import DirectoryInvalid


@pytest.fixture
def data_copy(tmp_path: Path, data_dir: Path) -> Path:
    for name in ("opd.toml", "routing.toml", "taxonomy.toml"):
        shutil.copy(data_dir / name, tmp_path / name)
    return tmp_path


def count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_first_sync_loads_everything_second_changes_nothing(session: Session, data_dir: Path) -> None:
    with session.begin():
        first = sync_directory(session, data_dir)
    with session.begin():
        second = sync_directory(session, data_dir)
    assert first.opds_added == count(session, Opd) == 32
    assert first.rules_added == count(session, RoutingRule) == count(session, RoutingRuleChange)
    assert (second.opds_added, second.opds_updated, second.rules_added, second.rules_updated) == (0, 0, 0, 0)
    assert count(session, AuditEvent) == first.opds_added + first.rules_added  # every load audited, none twice


def test_taxonomy_defaults_and_the_default_route_become_rules(session: Session, data_dir: Path) -> None:
    with session.begin():
        sync_directory(session, data_dir)
    rules = {(r.category, r.kecamatan_code): r.opd_code for r in session.scalars(select(RoutingRule))}
    assert rules[("kesehatan", None)] == "dinkes"
    assert rules[("ketertiban", None)] == "satpolpp"
    assert rules[("ketertiban", "18.01.04")] == "kec-natar"
    assert rules[(DEFAULT_CATEGORY, None)] == "diskominfo"


def test_a_changed_rule_is_updated_with_its_history(session: Session, data_copy: Path) -> None:
    with session.begin():
        sync_directory(session, data_copy)
    routing = data_copy / "routing.toml"
    routing.write_text(routing.read_text(encoding="utf-8").replace(
        'category = "adminduk"\nopd = "disdukcapil"', 'category = "adminduk"\nopd = "kec-kalianda"'), encoding="utf-8")
    with session.begin():
        result = sync_directory(session, data_copy, editor="admin:rina")
    rule = session.scalars(select(RoutingRule).where(RoutingRule.category == "adminduk")).one()
    change = session.scalars(select(RoutingRuleChange).where(RoutingRuleChange.rule_id == rule.id)
                             .order_by(RoutingRuleChange.id.desc())).first()
    assert result.rules_updated == 1
    assert (rule.opd_code, rule.updated_by) == ("kec-kalianda", "admin:rina")
    assert (change.action, change.before["opd_code"], change.after["opd_code"], change.editor) == (
        "update", "disdukcapil", "kec-kalianda", "admin:rina")
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "routing_rule",
                                                     AuditEvent.action == "update")).one()
    assert (event.entity_id, event.actor, event.details["after"]["opd_code"]) == (str(rule.id), "admin:rina",
                                                                                  "kec-kalianda")


def test_an_opd_renamed_in_the_file_is_audited(session: Session, data_copy: Path) -> None:
    with session.begin():
        sync_directory(session, data_copy)
    opds = data_copy / "opd.toml"
    text = opds.read_text(encoding="utf-8")
    assert 'short_name = "Dinas PUPR"' in text
    opds.write_text(text.replace('short_name = "Dinas PUPR"', 'short_name = "DPUPR"', 1), encoding="utf-8")
    with session.begin():
        sync_directory(session, data_copy, editor="pilah-batch")
    event = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "opd",
                                                     AuditEvent.action == "update")).one()
    assert (event.entity_id, event.actor, event.details["before"]["short_name"], event.details["after"]["short_name"]
            ) == ("dpupr", "pilah-batch", "Dinas PUPR", "DPUPR")


def test_web_edits_survive_the_nightly_sync_until_the_files_change(session: Session, data_copy: Path) -> None:
    with session.begin():
        sync_directory(session, data_copy)
    with session.begin():  # what an admin does in /admin: another OPD for a rule, a rule off, an OPD renamed
        rule = session.scalars(select(RoutingRule).where(RoutingRule.category == "adminduk",
                                                         RoutingRule.kecamatan_code.is_(None))).one()
        rule.opd_code, rule.active = "kec-kalianda", False
        session.get(Opd, "disdukcapil").name = "Dinas Dukcapil Lampung Selatan"
    with session.begin():
        again = sync_directory(session, data_copy, editor="pilah-batch")
        assert (again.opds_updated, again.rules_updated) == (0, 0)
        assert (rule.opd_code, rule.active, session.get(Opd, "disdukcapil").name) == (
            "kec-kalianda", False, "Dinas Dukcapil Lampung Selatan")
    routing = data_copy / "routing.toml"
    routing.write_text(routing.read_text(encoding="utf-8").replace(
        'category = "adminduk"\nopd = "disdukcapil"', 'category = "adminduk"\nopd = "kec-natar"'), encoding="utf-8")
    with session.begin():
        changed = sync_directory(session, data_copy, editor="pilah-batch")
    assert (changed.opds_updated, changed.rules_updated) == (0, 1)
    assert (rule.opd_code, rule.active, rule.updated_by) == ("kec-natar", True, "pilah-batch")


def test_a_rule_naming_an_unknown_opd_is_refused(session: Session, data_copy: Path) -> None:
    routing = data_copy / "routing.toml"
    routing.write_text(routing.read_text(encoding="utf-8") + '\n[[rule]]\ncategory = "sosial"\nopd = "dinas-x"\n',
                       encoding="utf-8")
    with session.begin(), pytest.raises(DirectoryInvalid, match="dinas-x"):
        sync_directory(session, data_copy)
    assert count(session, RoutingRule) == 0


def test_taxonomy_labels(data_dir: Path) -> None:
    assert taxonomy_labels(data_dir)["adminduk"] == "Administrasi Kependudukan"
    assert taxonomy_labels(data_dir, "en")["adminduk"] == "Civil registration"
