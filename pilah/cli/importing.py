"""`pilah import` and `pilah quarantine`: bring files in through the one ingest path."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.files import FORMATS, import_file
from ingest.imports.mapped_csv import parse_mapping
from pilah.cli.runtime import open_database
from pilah.queries.channel import quarantined_items
from pilah.settings import Settings


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name", required=True, type=click.Choice(sorted(FORMATS)),
              help="Format berkas. File format.")
@click.option("--map", "mapping_spec", default=None,
              help="Untuk --format csv: FIELD=KOLOM, mis. 'source_id=no,text=isi,created_at=tanggal,author_name=nama'.")
@click.option("--page-id", "page_ids", multiple=True,
              help="Untuk --format fb-json: id Halaman Facebook kantor (bawaan: channels.facebook.pages); "
                   "pos Halaman sendiri bukan pengaduan. The office's own Page id.")
@click.pass_obj
def import_command(settings: Settings, paths: tuple[Path, ...], format_name: str, mapping_spec: str | None,
                   page_ids: tuple[str, ...]) -> None:
    """Impor berkas ekspor (X API v2, Facebook Graph, SMS gateway). Import exported files.

    Example: pilah import --format sms-csv inbox-2026-11-20.csv
    """
    mapping = _mapping(mapping_spec)
    pages = frozenset(page_ids or settings.channels.facebook.pages)
    factory = open_database(settings)
    unreadable = 0
    for path in paths:
        outcome = import_file(factory, path, format_name, settings.zone, mapping, page_ids=pages)
        click.echo(f"{path.name}: {outcome.new} baru/new, {outcome.duplicates} sudah ada/duplicates skipped, "
                   f"{outcome.quarantined} karantina/quarantined")
        if outcome.unreadable:
            unreadable += 1
            click.echo(f"  → seluruh berkas tidak terbaca / the whole file could not be read: "
                       f"{outcome.unreadable_reason}", err=True)
    if unreadable:
        # A scheduled import must not look like it succeeded; the file itself is kept in quarantine.
        raise click.exceptions.Exit(1)


def _mapping(spec: str | None) -> dict[str, str] | None:
    if spec is None:
        return None
    try:
        return parse_mapping(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from exc


@click.command("quarantine")
@click.option("--limit", default=50, show_default=True, help="Berapa baris. How many rows.")
@click.pass_obj
def quarantine(settings: Settings, limit: int) -> None:
    """Daftar item yang dikarantina beserta alasannya. List quarantined items with their reasons."""
    factory = open_database(settings)
    with factory() as session:
        items = list(quarantined_items(session, limit))
        for item in items:
            click.echo(f"#{item.id} {item.channel} {item.locator} [{item.reason_code}] {item.reason}")
    if not items:
        click.echo("Karantina kosong / nothing is quarantined")
