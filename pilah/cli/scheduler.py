"""`pilah scheduler`: run the collectors on their intervals and the nightly batch, until SIGTERM."""

from __future__ import annotations

import logging

import click

from ingest.stopping import request_stop
from pilah.cli.runtime import open_database
from pilah.jobs.scheduler import build_scheduler, default_jobs, stop_on_sigterm
from pilah.settings import Settings


@click.command("scheduler")
@click.pass_obj
def scheduler(settings: Settings) -> None:
    """Jalankan jadwal pengumpulan dan batch malam. Run the collection schedule and the nightly batch.

    Aman dijalankan di dua mesin sekaligus: tiap jadwal dijalankan sekali. Safe to run twice: each
    occurrence runs once. Stop with SIGTERM (Ctrl-C).
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    factory = open_database(settings)
    jobs, disabled = default_jobs(settings, factory)
    for name, reason in disabled.items():
        click.echo(f"{name}: nonaktif/disabled — {reason}", err=True)
    runner = build_scheduler(settings, factory.kw["bind"], factory, jobs)
    stop_on_sigterm(runner)
    click.echo(f"jadwal/scheduled: {', '.join(job.id for job in jobs)}")
    try:
        runner.start()
    except KeyboardInterrupt:
        request_stop("SIGINT")
        runner.shutdown(wait=True)
