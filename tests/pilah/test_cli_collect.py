"""`pilah collect`: one collector run by hand against a replayed X API, and a clear refusal without credentials."""

from __future__ import annotations

from pathlib import Path

import responses
from sqlalchemy import select

from pilah.cli import main
from pilah.schema import CollectorRun, OutboxMessage


def test_collect_twitter_once_prints_the_counts(runner, engine, factory, database_url, fixtures_dir) -> None:
    (Path.cwd() / "pilah.toml").write_text('[channels.twitter]\naccounts = ["1500000000000000001"]\n')
    env = {"PILAH_DATABASE_URL": database_url, "PILAH_X_BEARER_TOKEN": "test-bearer"}
    with responses.RequestsMock() as api:
        api.get("https://api.twitter.com/2/users/1500000000000000001/mentions",
                body=(fixtures_dir / "twitter/mentions_last.json").read_bytes())
        result = runner.invoke(main, ["collect", "twitter", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert "twitter: ok — 2 diambil/fetched, 2 baru/new" in result.output
    with factory() as session:
        assert session.scalars(select(CollectorRun.source)).all() == ["twitter"]


def test_collect_without_credentials_names_the_variable(runner, engine, database_url) -> None:
    (Path.cwd() / "pilah.toml").write_text('[channels.twitter]\naccounts = ["pemkablamsel"]\n')
    result = runner.invoke(main, ["collect", "twitter"], env={"PILAH_DATABASE_URL": database_url})
    assert result.exit_code == 1 and "PILAH_X_BEARER_TOKEN" in result.output


def test_collect_outbox_sends_the_waiting_sms(runner, factory, database_url, sms_report) -> None:
    with factory() as session, session.begin():
        session.add(OutboxMessage(report_id=sms_report, channel="sms", recipient="+6281200000009",
                                  in_reply_to="modem1:1", body="Di desa mana?", created_by="verifikator"))
    (Path.cwd() / "pilah.toml").write_text('[channels.sms]\nsend_url = "http://gateway.local/send"\n')
    with responses.RequestsMock() as api:
        api.post("http://gateway.local/send", json={"id": "gw-1"})
        result = runner.invoke(main, ["collect", "outbox", "--once"], env={"PILAH_DATABASE_URL": database_url})
        assert len(api.calls) == 1
    assert result.exit_code == 0, result.output
    assert "outbox: 1 terkirim/sent" in result.output
    with factory() as session:
        assert session.scalars(select(OutboxMessage.status)).all() == ["terkirim"]
