"""`pilah triage`: classify and triage the posts that arrived since the last run; `split-issue` for staff."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from pilah.auth.accounts import acting_user
from pilah.cli.runtime import open_database
from pilah.db import transaction
from pilah.pipeline import load_calendar, triage_new_posts
from pilah.settings import Settings
from triage.multi_issue import split_issue


@click.group(invoke_without_command=True)
@click.pass_context
def triage(ctx: click.Context) -> None:
    """Klasifikasi dan triase pos baru. Classify and triage new posts (safe to re-run).

    Tanpa subperintah: triase otomatis. Without a subcommand: automatic triage.
    """
    if ctx.invoked_subcommand is not None:
        return
    settings: Settings = ctx.obj
    factory = open_database(settings)
    summary = triage_new_posts(factory, settings, now=datetime.now(UTC))
    click.echo(str(summary))


@triage.command("split-issue")
@click.argument("report_id", type=int)
@click.option("--category", required=True, help="Kategori pengaduan kedua (slug taksonomi). Second issue's category.")
@click.option("--actor", required=True,
              help="Nama pengguna verifikator/admin yang memisah (tercatat di audit). Who splits it.")
@click.option("--note", help="Catatan: apa pengaduan kedua itu. What the second issue is.")
@click.option("--expected-version", type=int,
              help="Versi laporan yang dilihat petugas; ditolak bila sudah berubah. Version the person saw.")
@click.pass_obj
def split_issue_command(settings: Settings, report_id: int, category: str, actor: str, note: str | None,
                        expected_version: int | None) -> None:
    """Pisahkan pengaduan kedua dari satu pos menjadi laporan sendiri. Split a multi-issue post's second issue.

    Example: pilah triage split-issue 812 --category ketertiban --actor rina --note "balap liar di pasar"
    """
    from pilah.web.roles import RULES  # the web's rule for this action, so both ways in allow the same people

    factory = open_database(settings)
    with transaction(factory) as session:
        user = acting_user(session, actor, RULES["queue.report:split_issue"])
        split = split_issue(session, report_id, category, actor=user.username, calendar=load_calendar(settings),
                            now=datetime.now(UTC), note=note, expected_version=expected_version)
    click.echo(f"Laporan #{split.report_id} dibuat dari laporan #{split.original_id} "
               f"(kategori {split.category}, usulan OPD {split.suggested_opd}, status perlu_verifikasi). "
               f"Report #{split.report_id} split from #{split.original_id}.")
