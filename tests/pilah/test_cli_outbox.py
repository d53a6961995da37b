"""`pilah outbox`: staff record what they saw on the channel for a message whose delivery is unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from click.testing import CliRunner
from sqlalchemy import select

from pilah.auth.accounts import NewUser, create_user
from pilah.cli import main
from pilah.schema import AuditEvent, OutboxMessage

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def messages(factory, sms_report: int) -> dict[str, int]:
    """A reply whose delivery is unknown, one already sent, a verifikator, an inactive one, an analis."""
    with factory() as session, session.begin():
        uncertain = OutboxMessage(report_id=sms_report, channel="sms", recipient="+6281200000009", body="Di desa mana?",
                                  created_by="rina", status="tak_pasti", attempts=1,
                                  error="tidak pasti terkirim / delivery unknown: timeout")
        sent = OutboxMessage(report_id=sms_report, channel="sms", recipient="+6281200000009", body="Terima kasih",
                             created_by="rina", status="terkirim", attempts=1, sent_at=NOW)
        session.add_all([uncertain, sent])
        create_user(session, NewUser(username="rina", display_name="Rina", role="verifikator",
                                     password="kata-sandi-panjang"), actor="setup")
        create_user(session, NewUser(username="budi", display_name="Budi", role="verifikator",
                                     password="kata-sandi-panjang"), actor="setup").active = False
        create_user(session, NewUser(username="andi", display_name="Andi", role="analis",
                                     password="kata-sandi-panjang"), actor="setup")
        session.flush()
        return {"uncertain": uncertain.id, "sent": sent.id}


def run(runner: CliRunner, database_url: str, *args: str):
    return runner.invoke(main, ["outbox", *args], env={"PILAH_DATABASE_URL": database_url})


def checks(factory) -> list[tuple[str, str, str | None, str | None, str | None]]:
    with factory() as session:
        return [(e.entity_id, e.actor, e.from_status, e.to_status, e.reason) for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action == "outbox_checked").order_by(AuditEvent.id))]


def status_of(factory, message_id: int) -> tuple[str, str | None, datetime | None]:
    with factory() as session:
        message = session.get(OutboxMessage, message_id)
        return message.status, message.error, message.sent_at


def test_list_shows_only_the_messages_waiting_for_a_check(runner, database_url, messages) -> None:
    result = run(runner, database_url, "list")
    assert result.exit_code == 0, result.output
    assert "Di desa mana?" in result.output and "timeout" in result.output
    assert "Terima kasih" not in result.output


def test_seen_on_the_channel_makes_it_sent_and_is_audited(runner, database_url, factory, messages) -> None:
    result = run(runner, database_url, "checked", str(messages["uncertain"]), "--went-out", "--by", "Rina",
                 "--note", "balasan terlihat di log gateway")
    assert result.exit_code == 0, result.output
    status, error, sent_at = status_of(factory, messages["uncertain"])
    assert (status, error) == ("terkirim", None) and sent_at is not None
    assert checks(factory) == [(str(messages["uncertain"]), "rina", "tak_pasti", "terkirim",
                                "balasan terlihat di log gateway")]
    assert "tidak ada pesan tak_pasti" in run(runner, database_url, "list").output


def test_not_seen_puts_it_back_and_the_next_outbox_run_sends_it_once(runner, database_url, factory,
                                                                     messages) -> None:
    result = run(runner, database_url, "checked", str(messages["uncertain"]), "--not-sent", "--by", "rina",
                 "--note", "tidak ada di log gateway")
    assert result.exit_code == 0 and "dikirim ulang" in result.output
    assert status_of(factory, messages["uncertain"])[:2] == ("menunggu", None)
    (Path.cwd() / "pilah.toml").write_text('[channels.sms]\nsend_url = "http://gateway.local/send"\n')
    with responses.RequestsMock() as api:
        api.post("http://gateway.local/send", json={"id": "gw-2"})
        sent = runner.invoke(main, ["collect", "outbox"], env={"PILAH_DATABASE_URL": database_url})
        assert len(api.calls) == 1 and b"Di desa mana?" in api.calls[0].request.body
    assert sent.exit_code == 0, sent.output
    assert status_of(factory, messages["uncertain"])[0] == "terkirim"


def test_a_message_that_is_not_uncertain_is_refused_and_left_alone(runner, database_url, factory,
                                                                   messages) -> None:
    for message_id in (messages["sent"], 9999):
        result = run(runner, database_url, "checked", str(message_id), "--not-sent", "--by", "rina", "--note", "x")
        assert result.exit_code == 1 and "outbox_not_uncertain" in result.output
    assert "terkirim, bukan tak_pasti" in run(runner, database_url, "checked", str(messages["sent"]), "--not-sent",
                                              "--by", "rina", "--note", "x").output
    assert status_of(factory, messages["sent"])[0] == "terkirim" and checks(factory) == []


def test_a_second_check_of_the_same_message_is_refused(runner, database_url, factory, messages) -> None:
    first = run(runner, database_url, "checked", str(messages["uncertain"]), "--went-out", "--by", "rina",
                "--note", "ada")
    second = run(runner, database_url, "checked", str(messages["uncertain"]), "--not-sent", "--by", "rina",
                 "--note", "tidak ada")
    assert first.exit_code == 0 and second.exit_code == 1
    assert status_of(factory, messages["uncertain"])[0] == "terkirim" and len(checks(factory)) == 1


@pytest.mark.parametrize(("actor", "note"), [("budi", "ada"), ("tidak-ada", "ada"), ("andi", "ada"), ("rina", "  ")])
def test_only_an_active_reviewer_with_a_note_may_record_a_check(runner, database_url, factory, messages,
                                                                         actor: str, note: str) -> None:
    result = run(runner, database_url, "checked", str(messages["uncertain"]), "--went-out", "--by", actor,
                 "--note", note)
    assert result.exit_code == 2
    assert status_of(factory, messages["uncertain"])[0] == "tak_pasti" and checks(factory) == []
