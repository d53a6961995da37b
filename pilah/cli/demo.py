"""`pilah demo`: run everything on the bundled demo posts and print the day's statistics."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import click

from pilah.demo import run_demo
from pilah.settings import Settings

#: The demo posts were written for 9–22 November 2026; the demo's "today" is the day after.
DEMO_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@click.command()
@click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("var/demo"),
              show_default=True, help="Folder for the demo database and the report files.")
@click.pass_obj
def demo(settings: Settings, out_dir: Path) -> None:
    """Jalankan seluruh alur pada data demo (SQLite baru). Run the whole pipeline on demo data.

    Imports data/demo/ (X, Facebook, SMS), classifies, triages, simulates one working day of the
    verifikator and OPD liaisons, and prints the statistics regional offices publish.
    """
    started = time.perf_counter()
    result = run_demo(settings, out_dir, now=DEMO_NOW, say=click.echo)
    click.echo()
    click.echo(result.markdown)
    click.echo(f"Laporan / report: {result.markdown_path} dan {result.csv_path}")
    seconds = time.perf_counter() - started
    click.echo(f"Selesai dalam {seconds:.1f} detik / finished in {seconds:.1f} s.".replace(".", ",", 1))
