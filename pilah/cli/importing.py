"""`pilah import` and `pilah quarantine`: bring files in through the one ingest path."""

from __future__ import annotations

from pathlib import Path

import click

from ingest.files import FORMATS, import_file
from ingest.imports.mapped_csv import parse_mapping
from pilah.cli.runtime import open_database
from pilah.db import transaction
from pilah.queries.channel import dismiss_quarantined, quarantined_with_source
from pilah.schema import utcnow
from pilah.settings import Settings


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_name", required=True, type=click.Choice(sorted(FORMATS)),
              help="Format berkas. File format.")
@click.option("--map", "mapping_spec", default=None,
              help="Untuk --format csv: FIELD=KOLOM, mis. 'text=isi,created_at=tanggal,author_name=nama'.")
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


@click.group("quarantine", invoke_without_command=True)
@click.option("--limit", default=50, show_default=True, help="Berapa baris. How many rows.")
@click.pass_context
def quarantine(context: click.Context, limit: int) -> None:
    """Daftar item yang dikarantina beserta alasannya. List quarantined items with their reasons.

    Example: pilah quarantine dismiss 17 18 --by rina --note "ekspor X diimpor sebagai fb-json, sudah diulang"
    """
    if context.invoked_subcommand is not None:
        return
    factory = open_database(context.obj)
    with factory() as session:
        items = quarantined_with_source(session, limit)
        for item, source in items:
            where = f" {source.removeprefix('file:')}" if source else ""
            click.echo(f"#{item.id} {item.channel}{where} {item.locator} [{item.reason_code}] {item.reason}")
    if not items:
        click.echo("Karantina kosong / nothing is quarantined")


@quarantine.command("dismiss")
@click.argument("item_ids", nargs=-1, type=int, required=True)
@click.option("--by", "actor", required=True, help="Nama petugas yang memutuskan. Who decided.")
@click.option("--note", required=True, help="Mengapa item ini tidak perlu dibaca lagi. Why it needs no reading.")
@click.pass_obj
def dismiss(settings: Settings, item_ids: tuple[int, ...], actor: str, note: str) -> None:
    """Tandai item selesai tanpa diimpor (diketik manual, atau sampah dari format yang salah); item tetap
    disimpan dan keputusan dicatat di audit. Mark items dealt with; they are kept, the decision audited."""
    with transaction(open_database(settings)) as session:
        try:
            changed = dismiss_quarantined(session, item_ids, actor=actor, note=note, at=utcnow())
        except LookupError as exc:
            raise click.BadParameter(f"item karantina tidak ada / no such item: {exc}", param_hint="ITEM_IDS") from exc
    skipped = len(set(item_ids)) - len(changed)
    click.echo(f"{len(changed)} item ditandai selesai / dismissed"
               + (f", {skipped} sudah selesai sebelumnya / already resolved" if skipped else ""))
