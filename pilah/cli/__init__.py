"""`pilah ...`: parse input, call the library, turn domain errors into messages and exit codes."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from classify.errors import ClassifyError
from ingest.errors import IngestError
from pilah.errors import ConcurrentRun, DatabaseError, PilahError
from pilah.settings import CONFIG_VARIABLE, Settings, load_settings, redact_url
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
        except StaleDataError as exc:
            raise DomainError(ConcurrentRun()) from exc
        except OperationalError as exc:
            raise DomainError(_lost_database(ctx, exc)) from exc


def _lost_database(ctx: click.Context, exc: OperationalError) -> DatabaseError:
    """The database failed while the command ran (a restart, a dropped connection, a lock held too long):
    every step commits its own work, so running the command again continues where it stopped."""
    url = redact_url(ctx.obj.database_url) if isinstance(ctx.obj, Settings) else "?"
    reason = (str(exc.orig).strip() or type(exc.orig).__name__).splitlines()[0] if exc.orig else str(exc)
    return DatabaseError(f"basis data {url} gagal saat perintah berjalan (koneksi putus, server dimatikan, berkas "
                         f"terkunci) / the database failed while the command ran: {redact_url(reason)}",
                         hint="periksa server basis data, lalu jalankan ulang perintah yang sama; yang sudah selesai "
                              "tidak diulang / check the database server, then run the same command again")


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
    if config_path is not None:
        # The processes this command starts (`serve --workers`, the tagging pool) read their settings again:
        # from this same file, not from whatever folder they happen to start in.
        os.environ[CONFIG_VARIABLE] = str(config_path.resolve())
