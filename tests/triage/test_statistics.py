"""The published numbers against a hand-counted fixture of eleven reports."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from triage_helpers import make_report, wib

from pilah.schema import ReportFlag
from triage.statistics import OpdCount, Ranked, Statistics, compute_statistics, statistics_markdown, statistics_rows

NOVEMBER = {"start": wib(2026, 11, 1), "end": wib(2026, 11, 30, 23, 59, 59)}

# status, category, kecamatan, OPD; numbered 1..10 in November, 11 in October.
FIXTURE = [
    ("perlu_verifikasi", "infrastruktur", "18.01.04", None),
    ("perlu_verifikasi", "infrastruktur", "18.01.04", None),   # 2: duplicate of 1
    ("baru", None, None, None),
    ("terverifikasi", "kesehatan", "18.01.06", None),
    ("terdisposisi", "infrastruktur", "18.01.13", "dpupr"),
    ("ditindaklanjuti", "infrastruktur", "18.01.04", "dpupr"),
    ("selesai", "kesehatan", "18.01.06", "dinkes"),
    ("selesai", "adminduk", "18.01.06", "disdukcapil"),
    ("tertunda", "sosial", None, None),
    ("ditolak", None, None, None),                             # 10: unclear (spam)
    ("selesai", "infrastruktur", "18.01.04", "dpupr"),         # 11: October
]


@pytest.fixture
def counted(directory: Session, make_post) -> Session:
    session = directory
    with session.begin():
        reports = []
        for n, (status, category, kecamatan, opd) in enumerate(FIXTURE, 1):
            posted = wib(2026, 10, 15) if n == 11 else wib(2026, 11, n, 10)
            reports.append(make_report(session, make_post(f"laporan {n}", created_at=posted), status=status,
                                       category=category, kecamatan_code=kecamatan, opd_code=opd))
        reports[1].duplicate_of_id, reports[1].duplicate_kind = reports[0].id, "exact"
        session.add(ReportFlag(report_id=reports[9].id, code="unclear:spam", reason="spam", source="model"))
    return session


def test_november_numbers(counted: Session) -> None:
    stats = compute_statistics(counted, top_n=3, **NOVEMBER)
    assert (stats.received, stats.not_verified, stats.verified, stats.dispositioned, stats.pending, stats.rejected,
            stats.unclear_or_repeated) == (10, 3, 1, 4, 1, 1, 2)
    assert (stats.not_followed_up, stats.in_follow_up, stats.done) == (1, 1, 2)
    assert stats.top_categories == [Ranked("infrastruktur", "infrastruktur", 3), Ranked("kesehatan", "kesehatan", 2),
                                    Ranked("adminduk", "adminduk", 1)]
    assert [(k.code, k.label, k.count) for k in stats.top_kecamatan] == [
        ("18.01.06", "Kalianda", 3), ("18.01.04", "Natar", 2), ("18.01.13", "Jati Agung", 1)]
    assert stats.top_opds == [OpdCount("dpupr", "Dinas PUPR", 2, 1, 0), OpdCount("dinkes", "Dinkes", 1, 1, 1),
                              OpdCount("disdukcapil", "Disdukcapil", 1, 1, 1)]
    assert [o.code for o in stats.opds_followed_up] == ["dinkes", "disdukcapil", "dpupr"]


def test_the_status_counts_partition_the_received(counted: Session) -> None:
    for period in ({}, NOVEMBER):
        s = compute_statistics(counted, **period)
        assert s.received == s.not_verified + s.verified + s.dispositioned + s.pending + s.rejected
        assert s.dispositioned == s.not_followed_up + s.in_follow_up + s.done


def test_without_a_period_everything_counts(counted: Session) -> None:
    stats = compute_statistics(counted)
    assert (stats.received, stats.done, stats.top_opds[0]) == (11, 3, OpdCount("dpupr", "Dinas PUPR", 3, 2, 1))


def test_markdown_reads_like_a_rekapitulasi(counted: Session) -> None:
    stats = compute_statistics(counted, top_n=3, **NOVEMBER)
    text = statistics_markdown(stats, {"infrastruktur": "Infrastruktur Jalan"}, title="Rekapitulasi November")
    lines = text.splitlines()
    assert lines[0] == "# Rekapitulasi November"
    assert "Periode: 1 November 2026 s.d. 30 November 2026" in lines
    for row in ("| Laporan masuk | 10 |", "| Didisposisikan ke OPD | 4 |", "| — selesai | 2 |",
                "| Tidak jelas atau ditulis berulang | 2 |", "| 1 | Infrastruktur Jalan | 3 |", "| 1 | Kalianda | 3 |",
                "| 1 | Dinas PUPR | 2 | 1 | 0 |"):
        assert row in lines


def test_rows_share_columns_and_carry_every_number(counted: Session) -> None:
    rows = statistics_rows(compute_statistics(counted, top_n=3, **NOVEMBER))
    assert {tuple(row) for row in rows} == {("bagian", "kode", "uraian", "jumlah")}
    values = {(r["bagian"], r["kode"]): r["jumlah"] for r in rows}
    assert values[("ringkasan", "diterima")] == 10
    assert values[("ringkasan", "belum_ditindaklanjuti")] == 1
    assert values[("opd_selesai", "dinkes")] == 1


def test_an_empty_period(directory: Session) -> None:
    stats = compute_statistics(directory, **NOVEMBER)
    assert stats == Statistics(start=NOVEMBER["start"], end=NOVEMBER["end"])
    assert "_Belum ada._" in statistics_markdown(stats)
