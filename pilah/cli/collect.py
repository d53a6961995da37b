"""`pilah collect`: run one collector (or all enabled ones) once, by hand."""

from __future__ import annotations

import click

from ingest.collectors import REGISTRY, enabled_collectors, run_collector
from pilah.cli.runtime import open_database
from pilah.settings import Settings


@click.command("collect")
@click.argument("source", required=False, type=click.Choice(sorted(REGISTRY)))
@click.option("--once", is_flag=True, default=True, help="Jalankan sekali lalu selesai (bawaan). Run once and exit.")
@click.pass_obj
def collect(settings: Settings, source: str | None, once: bool) -> None:
    """Kumpulkan dari X/Facebook sekarang. Collect from the live channels now.

    Tanpa SOURCE semua kolektor yang aktif dijalankan. Without SOURCE every enabled collector runs.

    Example: pilah collect twitter --once
    """
    factory = open_database(settings)
    collectors, disabled = enabled_collectors(settings, factory, [source] if source else None)
    for name, reason in disabled.items():
        click.echo(f"{name}: nonaktif/disabled — {reason}", err=True)
    failed = bool(source and disabled)
    for collector in collectors:
        report = run_collector(factory, collector)
        o = report.outcome
        click.echo(f"{report.source}: {report.status} — {o.fetched} diambil/fetched, {o.new} baru/new, "
                   f"{o.duplicates} sudah ada/duplicates, {o.quarantined} karantina/quarantined")
        if report.error:
            click.echo(f"  {report.error}", err=True)
        failed = failed or report.status == "failed"
    if failed:
        raise SystemExit(1)
