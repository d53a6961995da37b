"""Routing: the most specific active rule wins; the default route catches the rest."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pilah.schema import Opd
from triage.errors import DirectoryInvalid
from triage.routing import RoutingTable, route


@pytest.mark.parametrize(("category", "kecamatan", "opd", "basis"), [
    ("ketertiban", "18.01.04", "kec-natar", "kecamatan"),      # Natar's trantib handles its own area
    ("ketertiban", "18.01.06", "satpolpp", "category"),        # no Kalianda rule: the category rule
    ("ketertiban", None, "satpolpp", "category"),
    ("pemerintahan_desa", "18.01.06", "kec-kalianda", "kecamatan"),
    ("infrastruktur", "18.01.04", "dpupr", "category"),
    ("kesehatan", "18.01.13", "dinkes", "category"),           # from taxonomy default_opd
    (None, "18.01.04", "diskominfo", "default"),               # no category: the default route
    ("kategori_baru", None, "diskominfo", "default"),          # a category nobody wrote a rule for
])
def test_route(directory: Session, category: str | None, kecamatan: str | None, opd: str, basis: str) -> None:
    decision = route(directory, category, kecamatan)
    assert (decision.opd_code, decision.basis) == (opd, basis)
    assert decision.reason


def test_a_rule_to_an_inactive_opd_falls_back(directory: Session) -> None:
    with directory.begin():
        directory.scalars(select(Opd).where(Opd.code == "kec-natar")).one().active = False
    assert route(directory, "ketertiban", "18.01.04").opd_code == "satpolpp"


def test_without_a_default_route_routing_refuses() -> None:
    with pytest.raises(DirectoryInvalid, match="default"):
        RoutingTable({}).decide(None, None)
