"""`pilah report`: the statistics regional offices publish, for a period."""

from __future__ import annotations

import csv
import sys
from datetime import datetime, time

import click
from triage.directory import taxonomy_labels
from triage.statistics import compute_statistics
from triage.statistics_text import statistics_markdown, statistics_rows

from pilah.cli.runtime import open_database
from pilah.settings import Settings


@click.command()
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Tanggal awal (YYYY-MM-DD), inklusif.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Tanggal akhir (YYYY-MM-DD), inklusif.")
@click.option("--format", "fmt", type=click.Choice(["md", "csv"]), default="md", show_default=True)
@click.pass_obj
def report(settings: Settings, start: datetime | None, end: datetime | None, fmt: str) -> None:
    """Rekapitulasi pengaduan untuk suatu periode. Statistics for a period.

    Example: pilah report --from 2026-11-01 --to 2026-11-30
    """
    zone = settings.zone
    start_at = start.replace(tzinfo=zone) if start else None
    end_at = datetime.combine(end.date(), time.max, tzinfo=zone) if end else None
    with open_database(settings)() as session:
        stats = compute_statistics(session, start=start_at, end=end_at, top_n=settings.top_n)
    if fmt == "md":
        click.echo(statistics_markdown(stats, taxonomy_labels(settings.data_dir, settings.language)))
        return
    rows = statistics_rows(stats)
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
