"""`pilah batch`: the nightly batch, with progress bars and the funnel at the end."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from pilah.batch import BatchResult, run_nightly_batch
from pilah.cli.runtime import open_database
from pilah.settings import Settings

STEP_LABELS = {"directory": "Direktori OPD & aturan", "intake": "Penerimaan pos baru", "triage": "Triase otomatis",
               "auto_close": "Tutup otomatis", "overdue": "Cek batas waktu", "report": "Laporan harian"}


class RichProgress:
    """One bar per step; the triage bar counts reports."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def start(self, step: str, total: int | None) -> None:
        self.tasks[step] = self.progress.add_task(STEP_LABELS.get(step, step), total=total or 1)

    def advance(self, step: str, units: int) -> None:
        self.progress.advance(self.tasks[step], units)

    def finish(self, step: str, summary: str) -> None:
        task = self.tasks[step]
        self.progress.update(task, completed=self.progress.tasks[task].total)
        self.progress.console.print(f"  {STEP_LABELS.get(step, step)}: {summary}")


@click.command()
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Waktu 'sekarang' untuk uji/putar ulang, mis. 2026-11-23T23:00+07:00. Replay time (default: now).")
@click.option("--batch-size", type=click.IntRange(1), default=500, show_default=True,
              help="Laporan per transaksi triase. Reports per triage transaction.")
@click.option("--quiet", is_flag=True, help="Tanpa bilah kemajuan. No progress bars.")
@click.pass_obj
def batch(settings: Settings, now_text: str | None, batch_size: int, quiet: bool) -> None:
    """Batch malam: triase, cek tenggat, tutup otomatis, laporan harian. Nightly batch (safe to re-run).

    Example: pilah batch --now 2026-11-23T23:00+07:00
    """
    now = _parse_now(now_text, settings)
    factory = open_database(settings)
    console = Console(stderr=True, quiet=quiet)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=quiet) as bars:
        result = run_nightly_batch(factory, settings, now=now, progress=RichProgress(bars), batch_size=batch_size)
    _print_funnel(result)


def _parse_now(text: str | None, settings: Settings) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"'{text}' bukan waktu ISO (mis. 2026-11-23T23:00+07:00)", param_hint="--now") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone)


def _print_funnel(result: BatchResult) -> None:
    click.echo("Corong proses / funnel:")
    for _, label, value in result.funnel.stages():
        click.echo(f"  {label:<34} {value:>9}")
    click.echo(f"Laporan / report: {result.report_dir}")
