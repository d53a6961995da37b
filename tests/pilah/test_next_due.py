"""reports.next_due_at follows the running deadline on every ORM insert and update, and
running_due_value gives Core writes the same rule as triage.deadlines.running_due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pilah.queries.reports import running_due_value
from pilah.schema import ChannelPayload, Post, Report, ReportStatus
from triage.deadlines import running_due

VERIFY = datetime(2026, 3, 12, 3, 0, tzinfo=UTC)
FOLLOW_UP = VERIFY + timedelta(days=7)


def _stored_due(factory, report_id: int) -> datetime | None:
    with factory() as session:
        return session.get(Report, report_id).next_due_at


@pytest.fixture
def report_id(factory) -> int:
    with factory.begin() as session:
        payload = ChannelPayload(channel="import", endpoint="uji", parameters={}, collector_version="uji",
                                 retrieved_at=VERIFY, sha256="0" * 64, body=b"{}")
        session.add(payload)
        session.flush()
        post = Post(channel="import", source_id="1", payload_id=payload.id, text="Jalan rusak", created_at=VERIFY)
        session.add(post)
        session.flush()
        report = Report(post_id=post.id, status="perlu_verifikasi", verify_due=VERIFY, version=1)
        session.add(report)
    return report.id


def test_insert_and_each_status_change_keep_the_running_deadline(factory, report_id) -> None:
    assert _stored_due(factory, report_id) == VERIFY
    for status, expected in (("terdisposisi", FOLLOW_UP), ("ditindaklanjuti", None), ("terverifikasi", VERIFY)):
        with factory.begin() as session:
            report = session.get(Report, report_id)
            report.status, report.followup_due = status, FOLLOW_UP
        assert _stored_due(factory, report_id) == expected


def test_an_update_that_leaves_the_clock_alone_keeps_next_due_at(factory, report_id) -> None:
    with factory.begin() as session:
        session.get(Report, report_id).category = "infrastruktur"
    assert _stored_due(factory, report_id) == VERIFY


@pytest.mark.parametrize("status", list(ReportStatus))
def test_running_due_value_is_triage_rule(status: ReportStatus) -> None:
    report = Report(status=status.value, verify_due=VERIFY, followup_due=FOLLOW_UP)
    assert running_due_value(status.value, VERIFY, FOLLOW_UP) == running_due(report)
