"""`pilah ...`: parse input, call the library, turn domain errors into messages and exit codes."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from classify.errors import ClassifyError
from ingest.errors import IngestError
from pilah.errors import PilahError
from pilah.settings import load_settings
from triage.errors import TriageError

#: Subcommand modules; each defines a click command or group named like the module attribute.
COMMANDS = {
    "config": "pilah.cli.config:config",
    "db": "pilah.cli.database:db",
    "import": "pilah.cli.importing:import_command",
    "quarantine": "pilah.cli.importing:quarantine",
    "triage": "pilah.cli.triaging:triage",
    "report": "pilah.cli.reporting:report",
    "batch": "pilah.cli.batch:batch",
    "demo": "pilah.cli.demo:demo",
    "train": "pilah.cli.train:train",
    "models": "pilah.cli.models:models",
    "collect": "pilah.cli.collect:collect",
    "outbox": "pilah.cli.outbox:outbox",
    "scheduler": "pilah.cli.scheduler:scheduler",
    "serve": "pilah.cli.serve:serve",
    "users": "pilah.cli.users:users",
    "tokens": "pilah.cli.users:tokens",
}


class PilahGroup(click.Group):
    """Loads subcommands lazily and shows domain errors as one readable line, not a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self.get_command(ctx, name) is not None)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            return getattr(importlib.import_module(module_name), attribute)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (PilahError, IngestError, ClassifyError, TriageError) as exc:
            raise DomainError(exc) from exc


class DomainError(click.ClickException):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.exit_code = getattr(error, "exit_code", 1)

    def format_message(self) -> str:
        return self.message


@click.group(cls=PilahGroup)
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              help="pilah.toml to read (default: $PILAH_CONFIG, then ./pilah.toml).")
@click.version_option(package_name="pilah")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """pilah — pengaduan masyarakat dari media sosial, SMS dan berkas: dikumpulkan, dipilah, didisposisikan.

    Collects citizen complaints from social media, SMS and files, tags them and queues them for review.
    """
    ctx.obj = load_settings(config_path)
