"""`pilah report`: the statistics regional offices publish, for a period, as md/csv/xlsx/html + charts."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import click

from pilah.cli.runtime import open_database
from pilah.settings import Settings
from triage.charts import chart_data, write_charts
from triage.directory import taxonomy_labels
from triage.funnel import compute_funnel
from triage.report_files import FORMATS, render_csv, render_html, render_markdown, report_rows, write_report
from triage.statistics import compute_statistics, period_bounds, sla_moment


@click.command()
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Tanggal awal (YYYY-MM-DD), inklusif.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Tanggal akhir (YYYY-MM-DD), inklusif.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Tulis rekap.<format> dan grafik PNG ke folder ini. Write the file and PNG charts here.")
@click.option("--title", default="Rekapitulasi Pengaduan", show_default=True, help="Judul laporan. Report title.")
@click.pass_obj
def report(settings: Settings, start: datetime | None, end: datetime | None, fmt: str, out_dir: Path | None,
           title: str) -> None:
    """Rekapitulasi pengaduan untuk suatu periode. Statistics for a period.

    Example: pilah report --from 2026-11-01 --to 2026-11-30 --format xlsx --out var/laporan/2026-11
    """
    if fmt == "xlsx" and out_dir is None:
        raise click.UsageError("--format xlsx menulis berkas: sebutkan --out DIR / xlsx needs --out DIR")
    zone = settings.zone
    first, last = _in_order(start.date() if start else None, end.date() if end else None)
    start_at, end_at = period_bounds(first, last, zone)
    labels = taxonomy_labels(settings.data_dir, settings.language)
    with open_database(settings)() as session:
        stats = compute_statistics(session, start=start_at, end=end_at, top_n=settings.top_n,
                                   now=sla_moment(end_at, datetime.now(UTC)))
        funnel = compute_funnel(session, start=start_at, end=end_at)
        charts = []
        if out_dir is not None:
            charts = write_charts(chart_data(session, zone, start=start_at, end=end_at, labels=labels), out_dir)
    if out_dir is not None:
        for path in write_report(out_dir, stats, formats=[fmt], labels=labels, title=title, funnel=funnel,
                                 charts=charts) + charts:
            click.echo(str(path))
        return
    rows = report_rows(stats, funnel, labels)
    text = {"md": lambda: render_markdown(stats, labels, title, funnel), "csv": lambda: render_csv(rows),
            "html": lambda: render_html(stats, rows, title)}[fmt]()
    sys.stdout.write(text)


def _in_order(start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """A reversed period would count nothing and still look like a real report of zeros, so its days are
    swapped, as the web dashboard does, and the swap is said on stderr (stdout may be the report file)."""
    if start is None or end is None or start <= end:
        return start, end
    click.echo(f"peringatan/warning: --to {end} sebelum --from {start}; periode ditukar menjadi {end} s.d. {start} / "
               f"--to is before --from; the period was swapped to {end} to {start}", err=True)
    return end, start
