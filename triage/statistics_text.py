"""The statistics as regional offices publish them: Indonesian Markdown tables, and rows for CSV."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from triage.statistics import OpdCount, Ranked, SlaCompliance, Statistics

_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember")


def summary_lines(stats: Statistics) -> list[tuple[str, str, int]]:
    """(code, Indonesian label, value) in the order a rekapitulasi lists them."""
    return [
        ("diterima", "Laporan masuk", stats.received),
        ("belum_diverifikasi", "Belum diverifikasi", stats.not_verified),
        ("terverifikasi", "Terverifikasi, menunggu disposisi", stats.verified),
        ("terdisposisi", "Didisposisikan ke OPD", stats.dispositioned),
        ("belum_ditindaklanjuti", "— belum ditindaklanjuti", stats.not_followed_up),
        ("sedang_ditindaklanjuti", "— sedang ditindaklanjuti", stats.in_follow_up),
        ("selesai", "— selesai", stats.done),
        ("tertunda", "Tertunda (menunggu kelengkapan dari pelapor)", stats.pending),
        ("ditolak", "Ditolak", stats.rejected),
        ("tidak_jelas_atau_berulang", "Tidak jelas atau ditulis berulang", stats.unclear_or_repeated),
    ]


def statistics_markdown(stats: Statistics, taxonomy_labels: dict[str, str] | None = None, *,
                        title: str = "Rekapitulasi Pengaduan") -> str:
    labels = taxonomy_labels or {}
    parts = [f"# {title}", "", f"Periode: {period_text(stats.start, stats.end)}", "",
             "| Uraian | Jumlah |", "| --- | ---: |"]
    parts += [f"| {label} | {value} |" for _, label, value in summary_lines(stats)]
    parts += ["", "_Tidak jelas atau ditulis berulang_ dihitung juga pada baris status di atas.", ""]
    parts += _ranking("Kategori terbanyak", "Kategori", stats.top_categories, labels)
    parts += _ranking("Kecamatan dengan laporan terbanyak", "Kecamatan", stats.top_kecamatan, {})
    parts += _opd_table("OPD penerima laporan terbanyak", stats.top_opds)
    parts += _opd_table("OPD yang telah menindaklanjuti", stats.opds_followed_up)
    parts += _sla_table(stats.sla)
    return "\n".join(parts).rstrip() + "\n"


def statistics_rows(stats: Statistics, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per number: section, code, label, value (the same columns for every row); categories
    are labelled from `labels` (slug → taxonomy label) where given."""
    labels = labels or {}
    rows = [_row("ringkasan", code, label, value) for code, label, value in summary_lines(stats)]
    rows += [_row("kategori", r.code, labels.get(r.code, r.label), r.count) for r in stats.top_categories]
    rows += [_row("kecamatan", r.code, r.label, r.count) for r in stats.top_kecamatan]
    # Every OPD with dispositions in the period, also one that followed up none (the one to see), where the
    # published table ranks the top few; categories and kecamatan stay ranked.
    rows += [_row("opd_diterima", opd.code, opd.name, opd.dispositioned) for opd in stats.opds]
    rows += [_row("opd_ditindaklanjuti", opd.code, opd.name, opd.followed_up) for opd in stats.opds]
    rows += [_row("opd_selesai", opd.code, opd.name, opd.done) for opd in stats.opds]
    for sla in stats.sla:
        rows.append(_row("sla_dinilai", sla.code, sla.name, sla.assessed))
        rows.append(_row("sla_tepat_waktu", sla.code, sla.name, sla.on_time))
        rows.append(_row("sla_persen", sla.code, sla.name, round(100 * sla.share, 1)))
    return rows


def period_text(start: datetime | None, end: datetime | None) -> str:
    if start is None and end is None:
        return "seluruh laporan"
    first = indonesian_date(start) if start else "awal"
    last = indonesian_date(end) if end else "sekarang"
    return f"{first} s.d. {last}"


def indonesian_date(moment: datetime) -> str:
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _row(section: str, code: str, label: str, value: float) -> dict[str, Any]:
    return {"bagian": section, "kode": code, "uraian": label, "jumlah": value}


def _ranking(heading: str, column: str, ranked: list[Ranked], labels: dict[str, str]) -> list[str]:
    lines = [f"## {heading}", ""]
    if not ranked:
        return [*lines, "_Belum ada._", ""]
    lines += [f"| No | {column} | Jumlah |", "| ---: | --- | ---: |"]
    lines += [f"| {i} | {labels.get(r.code, r.label)} | {r.count} |" for i, r in enumerate(ranked, 1)]
    return [*lines, ""]


def _opd_table(heading: str, opds: list[OpdCount]) -> list[str]:
    lines = [f"## {heading}", ""]
    if not opds:
        return [*lines, "_Belum ada._", ""]
    lines += ["| No | OPD | Diterima | Sudah ditindaklanjuti | Selesai |", "| ---: | --- | ---: | ---: | ---: |"]
    lines += [f"| {i} | {o.name} | {o.dispositioned} | {o.followed_up} | {o.done} |" for i, o in enumerate(opds, 1)]
    return [*lines, ""]


def _sla_table(rows: list[SlaCompliance]) -> list[str]:
    lines = ["## Kepatuhan tindak lanjut OPD (batas 5 hari kerja)", ""]
    if not rows:
        return [*lines, "_Belum ada disposisi yang dapat dinilai._", ""]
    lines += ["| No | OPD | Dinilai | Tepat waktu | Terlambat | Kepatuhan |",
              "| ---: | --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {i} | {r.name} | {r.assessed} | {r.on_time} | {r.late} | {_percent(r.share)} |"
              for i, r in enumerate(rows, 1)]
    return [*lines, "", "_Dinilai_: disposisi yang sudah ditindaklanjuti atau sudah lewat batas waktunya.", ""]


def _percent(share: float) -> str:
    """42,9%: Indonesian writes a decimal comma."""
    return f"{100 * share:.1f}%".replace(".", ",")
