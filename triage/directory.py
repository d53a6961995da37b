"""Loads the OPD directory and routing rules from data/ into their tables, recording every rule edit.

data/routing.toml holds explicit rules (category, optionally refined by kecamatan); every taxonomy
category's `default_opd` becomes a category-wide rule where routing.toml has none; routing.toml's
`default_opd` becomes the default route, stored as the rule for category "*". Syncing is an
idempotent upsert keyed on (category, kecamatan): running it again changes nothing, and a rule
whose OPD or note changed in the files is updated with a RoutingRuleChange row. Rules that exist
only in the database (added by staff) are left alone.

The nightly batch syncs every night, so each OPD and rule remembers what the files said when they
were last applied (`from_file`). An entry the files still describe the same way is not touched,
so what an admin changed in the web (an OPD's name, a rule's OPD, a rule switched off) stays;
only an entry whose description in the files changed since is applied again, the files winning.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from pilah.queries import audit
from pilah.queries import directory as q
from pilah.schema import Opd, RoutingRule, RoutingRuleChange, utcnow
from triage.errors import DirectoryInvalid

#: The category of the default route (reports with no category, or a category without any rule).
DEFAULT_CATEGORY = "*"
_OPD_FIELDS = ("name", "short_name", "kind", "kecamatan")


@dataclass
class DirectorySync:
    """What a sync changed; all zeros on a second run."""

    opds_added: int = 0
    opds_updated: int = 0
    rules_added: int = 0
    rules_updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (f"OPD +{self.opds_added} ~{self.opds_updated}, aturan disposisi +{self.rules_added} "
                f"~{self.rules_updated}, tetap {self.unchanged}")


@dataclass(frozen=True)
class RuleSpec:
    category: str
    kecamatan_code: str | None
    opd_code: str
    note: str | None


def sync_directory(session: Session, data_dir: Path, *, editor: str = "system") -> DirectorySync:
    """Upsert OPDs and routing rules from data_dir; the caller owns the transaction."""
    opds = _read_opds(data_dir / "opd.toml")
    specs = _rule_specs(data_dir, set(opds))
    result = DirectorySync()
    _sync_opds(session, opds, editor, result)
    session.flush()
    _sync_rules(session, specs, editor, result)
    return result


def taxonomy_labels(data_dir: Path, language: str = "id") -> dict[str, str]:
    """Category slug → label in the report language (label_id or label_en)."""
    categories = _load(data_dir / "taxonomy.toml").get("category", [])
    return {c["slug"]: c.get(f"label_{language}") or c["slug"] for c in categories}


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DirectoryInvalid(str(path), "berkas tidak dapat dibaca", f"cannot read the file ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DirectoryInvalid(str(path), f"TOML tidak valid: {exc}", f"invalid TOML: {exc}") from exc


def _read_opds(path: Path) -> dict[str, dict[str, Any]]:
    opds: dict[str, dict[str, Any]] = {}
    for item in _load(path).get("opd", []):
        if not item.get("code") or not item.get("name"):
            raise DirectoryInvalid(str(path), f"OPD tanpa code/name: {item}", f"OPD without code/name: {item}")
        opds[item["code"]] = {
            "name": item["name"], "short_name": item.get("short_name") or item["name"],
            "kind": item.get("kind", "dinas"), "kecamatan": list(item.get("kecamatan", [])),
        }
    return opds


def _rule_specs(data_dir: Path, opd_codes: set[str]) -> list[RuleSpec]:
    routing_path = data_dir / "routing.toml"
    routing = _load(routing_path)
    categories = _load(data_dir / "taxonomy.toml").get("category", [])
    slugs = {c["slug"] for c in categories}
    specs = [_explicit_rule(item, slugs, routing_path) for item in routing.get("rule", [])]
    explicit_wide = {s.category for s in specs if s.kecamatan_code is None}
    specs += [
        RuleSpec(c["slug"], None, c["default_opd"], "default_opd dari taxonomy.toml")
        for c in categories if c.get("default_opd") and c["slug"] not in explicit_wide
    ]
    if routing.get("default_opd"):
        specs.append(RuleSpec(DEFAULT_CATEGORY, None, routing["default_opd"], "rute bawaan (routing.toml)"))
    _check_opds(specs, opd_codes, routing_path)
    return specs


def _explicit_rule(item: dict[str, Any], slugs: set[str], path: Path) -> RuleSpec:
    category = item.get("category")
    if category not in slugs:
        raise DirectoryInvalid(str(path), f"kategori '{category}' tidak ada di taxonomy.toml",
                               f"category '{category}' is not in taxonomy.toml")
    return RuleSpec(category, item.get("kecamatan"), item.get("opd", ""), item.get("note"))


_FROM_FILE, _UPDATED_FROM_FILE = "dimuat dari data/", "diperbarui dari data/"


def _check_opds(specs: list[RuleSpec], opd_codes: set[str], path: Path) -> None:
    for spec in specs:
        if spec.opd_code not in opd_codes:
            raise DirectoryInvalid(
                str(path), f"aturan {spec.category}/{spec.kecamatan_code or '-'} menunjuk OPD '{spec.opd_code}' "
                           "yang tidak ada di opd.toml",
                f"rule {spec.category}/{spec.kecamatan_code or '-'} names OPD '{spec.opd_code}', not in opd.toml")


def _sync_opds(session: Session, opds: dict[str, dict[str, Any]], editor: str, result: DirectorySync) -> None:
    existing = q.opds_by_code(session)
    for code, values in opds.items():
        row = existing.get(code)
        if row is None:
            session.add(Opd(code=code, active=True, from_file=values, **values))
            audit.record(session, "opd", code, "create", editor, utcnow(), _FROM_FILE, {"after": values})
            result.opds_added += 1
            continue
        if row.from_file != values and any(getattr(row, name) != values[name] for name in _OPD_FIELDS):
            before = {name: getattr(row, name) for name in _OPD_FIELDS}
            for name in _OPD_FIELDS:
                setattr(row, name, values[name])
            audit.record(session, "opd", code, "update", editor, utcnow(), _FROM_FILE,
                         {"before": before, "after": values})
            result.opds_updated += 1
        else:
            result.unchanged += 1
        if row.from_file != values:
            row.from_file = values


def _sync_rules(session: Session, specs: list[RuleSpec], editor: str, result: DirectorySync) -> None:
    existing = q.rules_by_key(session)
    for spec in specs:
        rule = existing.get((spec.category, spec.kecamatan_code))
        said = {"opd_code": spec.opd_code, "note": spec.note}
        if rule is None:
            _create_rule(session, spec, editor).from_file = said
            result.rules_added += 1
            continue
        if rule.from_file != said and (rule.opd_code, rule.note, rule.active) != (spec.opd_code, spec.note, True):
            _update_rule(session, rule, spec, editor)
            result.rules_updated += 1
        else:
            result.unchanged += 1
        if rule.from_file != said:
            rule.from_file = said


def _create_rule(session: Session, spec: RuleSpec, editor: str) -> RoutingRule:
    rule = RoutingRule(category=spec.category, kecamatan_code=spec.kecamatan_code, opd_code=spec.opd_code,
                       note=spec.note, active=True, updated_by=editor, updated_at=utcnow())
    session.add(rule)
    session.flush()
    session.add(RoutingRuleChange(rule_id=rule.id, action="create", before=None, after=rule_snapshot(rule),
                                  editor=editor, note=_FROM_FILE))
    audit.record(session, "routing_rule", str(rule.id), "create", editor, utcnow(), _FROM_FILE,
                 {"before": None, "after": rule_snapshot(rule)})
    return rule


def _update_rule(session: Session, rule: RoutingRule, spec: RuleSpec, editor: str) -> None:
    before = rule_snapshot(rule)
    rule.opd_code, rule.note, rule.active = spec.opd_code, spec.note, True
    rule.updated_by, rule.updated_at = editor, utcnow()
    session.add(RoutingRuleChange(rule_id=rule.id, action="update", before=before, after=rule_snapshot(rule),
                                  editor=editor, note=_UPDATED_FROM_FILE))
    audit.record(session, "routing_rule", str(rule.id), "update", editor, utcnow(), _UPDATED_FROM_FILE,
                 {"before": before, "after": rule_snapshot(rule)})


def rule_snapshot(rule: RoutingRule) -> dict[str, Any]:
    return {"category": rule.category, "kecamatan_code": rule.kecamatan_code, "opd_code": rule.opd_code,
            "note": rule.note, "active": rule.active}
