"""`pilah outbox`: the messages whose delivery is unknown, and what a person found on the channel.

Sending itself is `pilah collect outbox` (or the scheduler). A message whose send may or may not
have gone out (`tak_pasti`) is never resent by itself; staff look at the channel (the reporter's
mentions, the Facebook comment thread, the SMS gateway's log) and record what they saw here.
"""

from __future__ import annotations

import click

from pilah.auth.accounts import canonical_username
from pilah.cli.runtime import open_database
from pilah.db import transaction
from pilah.queries import channel as q
from pilah.queries import web
from pilah.schema import utcnow
from pilah.settings import Settings
from pilah.web.roles import REVIEWERS


@click.group()
def outbox() -> None:
    """Pesan ke pelapor yang belum pasti terkirim. Messages to reporters whose delivery is unknown."""


@outbox.command("list")
@click.pass_obj
def list_uncertain(settings: Settings) -> None:
    """Daftar pesan berstatus tak_pasti. List the messages marked tak_pasti."""
    with open_database(settings)() as session:
        messages = q.uncertain_outbox(session)
        for m in messages:
            click.echo(f"{m.id:>6}  laporan {m.report_id:<6} {m.channel:<8} ke/to {m.recipient or '-':<22} "
                       f"{m.attempts}x  {m.error or ''}")
            click.echo(f"        {m.body}")
    if not messages:
        click.echo("tidak ada pesan tak_pasti / no uncertain messages")


@outbox.command("checked")
@click.argument("message_id", type=int)
@click.option("--went-out/--not-sent", required=True,
              help="Pesan terlihat di kanal (terkirim) atau tidak (kirim ulang). Seen on the channel, or not (resend).")
@click.option("--by", "actor", required=True,
              help="Verifikator/admin yang memeriksa. The verifikator or admin who checked.")
@click.option("--note", required=True, help="Apa yang dilihat di kanal. What was seen on the channel.")
@click.pass_obj
def checked(settings: Settings, message_id: int, went_out: bool, actor: str, note: str) -> None:
    """Catat hasil pemeriksaan. Record the check, e.g.
    pilah outbox checked 12 --not-sent --by rina --note "tidak ada balasan di mention @warga"
    """
    if not note.strip():
        raise click.BadParameter("tulis apa yang dilihat / say what was seen", param_hint="--note")
    with transaction(open_database(settings)) as session:
        user = web.user_by_username(session, canonical_username(actor))
        if user is None or not user.active or user.role not in REVIEWERS:
            raise click.BadParameter(f"{actor!r} bukan verifikator/admin aktif / is no active verifikator or admin",
                                     param_hint="--by")
        status = q.settle_checked_outbox(session, message_id, went_out=went_out, actor=user.username,
                                         note=note.strip(), at=utcnow())
    click.echo(f"pesan {message_id}: {status}" + ("" if went_out else " (dikirim ulang pada giliran outbox berikutnya"
                                                  " / sent again at the next outbox run)"))
