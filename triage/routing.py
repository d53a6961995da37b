"""Which OPD should receive a report: the most specific active routing rule wins.

Order: category + kecamatan, then category alone, then the default route (category "*").
A rule whose OPD is inactive is skipped, so a dissolved office never receives work.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pilah.queries import directory as q
from triage.directory import DEFAULT_CATEGORY
from triage.errors import DirectoryInvalid


@dataclass(frozen=True)
class RouteDecision:
    """The suggested OPD, the rule that chose it and why (shown to the verifikator)."""

    opd_code: str
    rule_id: int
    basis: str  # "kecamatan" | "category" | "default"
    reason: str


class RoutingTable:
    """The active rules, loaded once so a triage run does not query per report."""

    def __init__(self, rules: dict[tuple[str, str | None], tuple[int, str]]) -> None:
        self.rules = rules

    @classmethod
    def load(cls, session: Session) -> RoutingTable:
        active_opds = {code for code, opd in q.opds_by_code(session).items() if opd.active}
        return cls({
            (rule.category, rule.kecamatan_code): (rule.id, rule.opd_code)
            for rule in q.active_rules(session) if rule.opd_code in active_opds
        })

    def categories(self) -> set[str]:
        """The categories some active rule names: every taxonomy category once the directory is synced."""
        return {category for category, _ in self.rules if category != DEFAULT_CATEGORY}

    def decide(self, category: str | None, kecamatan_code: str | None) -> RouteDecision:
        if category is not None and kecamatan_code is not None and (category, kecamatan_code) in self.rules:
            rule_id, opd = self.rules[(category, kecamatan_code)]
            return RouteDecision(opd, rule_id, "kecamatan",
                                 f"aturan kategori {category} di kecamatan {kecamatan_code}")
        if category is not None and (category, None) in self.rules:
            rule_id, opd = self.rules[(category, None)]
            return RouteDecision(opd, rule_id, "category", f"aturan kategori {category}")
        return self._default(category)

    def _default(self, category: str | None) -> RouteDecision:
        if (DEFAULT_CATEGORY, None) not in self.rules:
            raise DirectoryInvalid("data/routing.toml", "rute bawaan (default_opd) belum dimuat ke basis data",
                                   "no default route (default_opd) is loaded; sync the directory first")
        rule_id, opd = self.rules[(DEFAULT_CATEGORY, None)]
        why = "tanpa kategori" if category is None else f"tidak ada aturan untuk kategori {category}"
        return RouteDecision(opd, rule_id, "default", f"rute bawaan ({why})")


def route(session: Session, category: str | None, kecamatan_code: str | None) -> RouteDecision:
    """Suggest an OPD for one report; raises DirectoryInvalid when no default route was loaded."""
    return RoutingTable.load(session).decide(category, kecamatan_code)
