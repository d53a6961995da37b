"""The statistics written as files: Markdown, CSV, Excel (xlsx) and HTML, beside the PNG charts.

Every format carries the same numbers (statistics_rows, plus the funnel when there is one). The
output depends only on the data and the period, never on the clock, so writing the same report
twice gives the same bytes.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from triage.funnel import Funnel, funnel_markdown
from triage.statistics import Statistics
from triage.statistics_text import period_text, statistics_markdown, statistics_rows

FORMATS = ("md", "csv", "xlsx", "html")
_SECTIONS = {
    "ringkasan": "Ringkasan", "kategori": "Kategori terbanyak", "kecamatan": "Kecamatan dengan laporan terbanyak",
    "opd_diterima": "OPD penerima laporan terbanyak", "opd_ditindaklanjuti": "OPD yang telah menindaklanjuti",
    "opd_selesai": "OPD: laporan selesai", "sla_dinilai": "Kepatuhan SLA: disposisi dinilai",
    "sla_tepat_waktu": "Kepatuhan SLA: ditindaklanjuti tepat waktu", "sla_persen": "Kepatuhan SLA (%)",
    "funnel": "Corong proses (funnel)",
}
_FIXED_TIME = datetime(2000, 1, 1)
#: CSV files are written with a byte-order mark: Excel, which offices open them with, then reads UTF-8 ("—").
EXCEL_CSV_ENCODING = "utf-8-sig"  # xlsx properties carry no zone; a fixed time keeps them stable


def report_rows(stats: Statistics, funnel: Funnel | None = None,
                labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    rows = statistics_rows(stats, labels)
    if funnel is not None:
        rows += [{"bagian": "funnel", "kode": code, "uraian": label, "jumlah": value}
                 for code, label, value in funnel.stages()]
    return rows


def render_markdown(stats: Statistics, labels: dict[str, str], title: str, funnel: Funnel | None = None,
                    charts: Sequence[Path] = ()) -> str:
    text = statistics_markdown(stats, labels, title=title)
    if funnel is not None:
        text += "\n" + funnel_markdown(funnel)
    if charts:
        text += "\n## Grafik\n\n" + "".join(f"![{p.stem}]({p.name})\n" for p in charts)
    return text


def render_csv(rows: list[dict[str, Any]]) -> str:
    """Comma-separated text; a file of it is written with a byte-order mark (EXCEL_CSV_ENCODING)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["bagian", "kode", "uraian", "jumlah"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def render_html(stats: Statistics, rows: list[dict[str, Any]], title: str, charts: Sequence[Path] = ()) -> str:
    parts = ["<!doctype html>", '<html lang="id"><head><meta charset="utf-8">', f"<title>{html.escape(title)}</title>",
             "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 8px}"
             "td.n{text-align:right}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>", f"<p>Periode: {html.escape(period_text(stats.start, stats.end))}</p>"]
    for section in dict.fromkeys(row["bagian"] for row in rows):
        parts.append(f"<h2>{html.escape(_SECTIONS.get(section, section))}</h2>")
        parts.append("<table><tr><th>Uraian</th><th>Jumlah</th></tr>")
        parts += [f'<tr><td>{html.escape(str(r["uraian"]))}</td><td class="n">{r["jumlah"]}</td></tr>'
                  for r in rows if r["bagian"] == section]
        parts.append("</table>")
    parts += [f'<p><img src="{html.escape(p.name)}" alt="{html.escape(p.stem)}"></p>' for p in charts]
    return "\n".join([*parts, "</body></html>", ""])


def write_xlsx(path: Path, rows: list[dict[str, Any]], title: str) -> Path:
    path.write_bytes(render_xlsx(rows, title))
    return path


def render_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Rekap"
    sheet.append([title])
    sheet.append(["bagian", "kode", "uraian", "jumlah"])
    for row in rows:
        sheet.append([row["bagian"], row["kode"], row["uraian"], row["jumlah"]])
    sheet.column_dimensions["C"].width = 48
    book.properties.created = book.properties.modified = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_report(out_dir: Path, stats: Statistics, *, formats: Sequence[str], labels: dict[str, str], title: str,
                 funnel: Funnel | None = None, charts: Sequence[Path] = (), stem: str = "rekap") -> list[Path]:
    """Write rekap.<fmt> for each format into out_dir; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = report_rows(stats, funnel, labels)
    written = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        if fmt == "xlsx":
            written.append(write_xlsx(path, rows, title))
            continue
        text = {"md": lambda: render_markdown(stats, labels, title, funnel, charts),
                "csv": lambda: render_csv(rows),
                "html": lambda: render_html(stats, rows, title, charts)}[fmt]()
        path.write_text(text, encoding=EXCEL_CSV_ENCODING if fmt == "csv" else "utf-8")
        written.append(path)
    return written
