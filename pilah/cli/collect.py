"""`pilah collect`: run one collector (or all enabled ones) once, by hand."""

from __future__ import annotations

import signal
from typing import Any

import click
from sqlalchemy.orm import Session, sessionmaker

from ingest.collectors import REGISTRY, enabled_collectors, run_collector
from ingest.outbox import send_outbox
from ingest.stopping import request_stop, stop_requested
from pilah.cli.runtime import open_database
from pilah.settings import Settings

OUTBOX = "outbox"


@click.command("collect")
@click.argument("source", required=False, type=click.Choice(sorted([*REGISTRY, OUTBOX])))
@click.option("--once", is_flag=True, default=True, help="Jalankan sekali lalu selesai (bawaan). Run once and exit.")
@click.pass_obj
def collect(settings: Settings, source: str | None, once: bool) -> None:
    """Kumpulkan dari X/Facebook sekarang. Collect from the live channels now.

    Tanpa SOURCE semua kolektor yang aktif dijalankan. Without SOURCE every enabled collector runs.
    `outbox` mengirim pertanyaan ke pelapor di kanalnya. `outbox` sends the waiting clarification requests.

    SIGTERM menghentikan setelah halaman yang sedang disimpan (exit 0); jalankan lagi untuk melanjutkan.
    SIGTERM stops after the page being stored is checkpointed (exit 0); the next run resumes there.

    Example: pilah collect twitter --once
    """
    previous = signal.signal(signal.SIGTERM, _stop_after_page)
    try:
        _collect(settings, source)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _collect(settings: Settings, source: str | None) -> None:
    factory = open_database(settings)
    if source == OUTBOX:
        _send_outbox(settings, factory)
        return
    collectors, disabled = enabled_collectors(settings, factory, [source] if source else None)
    for name, reason in disabled.items():
        click.echo(f"{name}: nonaktif/disabled — {reason}", err=True)
    failed = bool(source and disabled)
    for collector in collectors:
        if stop_requested():
            click.echo(f"{collector.source}: dilewati/skipped — SIGTERM", err=True)
            continue
        report = run_collector(factory, collector)
        o = report.outcome
        click.echo(f"{report.source}: {report.status} — {o.fetched} diambil/fetched, {o.new} baru/new, "
                   f"{o.duplicates} sudah ada/duplicates, {o.quarantined} karantina/quarantined")
        if report.error:
            click.echo(f"  {report.error}", err=True)
        failed = failed or report.status == "failed"
    if failed:
        raise SystemExit(1)


def _stop_after_page(signum: int, frame: Any) -> None:
    request_stop("SIGTERM")


def _send_outbox(settings: Settings, factory: sessionmaker[Session]) -> None:
    report = send_outbox(factory, settings)
    click.echo(f"outbox: {report.sent} terkirim/sent, {report.failed} gagal/failed, {report.retry} dicoba lagi/retry, "
               f"{report.uncertain} tak pasti/uncertain")
    for channel, reason in report.waiting.items():
        click.echo(f"  {channel}: menunggu/waiting — {reason}", err=True)
