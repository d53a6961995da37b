"""`pilah config show`: the effective settings, with secrets hidden."""

from __future__ import annotations

import click

from pilah.settings import Settings, effective_settings


@click.group()
def config() -> None:
    """Lihat konfigurasi. Inspect the configuration."""


@config.command("show")
@click.pass_obj
def show(settings: Settings) -> None:
    """Cetak pengaturan yang berlaku (rahasia disembunyikan). Print effective settings, secrets redacted."""
    for name, value in effective_settings(settings).items():
        click.echo(f"{name} = {value}")
