"""`pilah triage`: classify and triage the posts that arrived since the last run."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from pilah.cli.runtime import open_database
from pilah.pipeline import triage_new_posts
from pilah.settings import Settings


@click.command()
@click.pass_obj
def triage(settings: Settings) -> None:
    """Klasifikasi dan triase pos baru. Classify and triage new posts (safe to re-run)."""
    factory = open_database(settings)
    summary = triage_new_posts(factory, settings, now=datetime.now(UTC))
    click.echo(str(summary))
