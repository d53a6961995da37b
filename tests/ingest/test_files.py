"""File imports through the one path, in each supported format."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ingest.errors import SourceUnreadable, UnknownFormat
from ingest.files import import_file
from pilah.schema import Post, QuarantinedItem

WIB = ZoneInfo("Asia/Jakarta")


def test_sms_import_keeps_good_rows_and_quarantines_bad_ones(factory: sessionmaker[Session],
                                                             fixtures_dir: Path) -> None:
    outcome = import_file(factory, fixtures_dir / "sms/inbox.csv", "sms-csv", WIB)
    assert (outcome.new, outcome.quarantined) == (3, 2)
    with factory() as session:
        reasons = session.scalars(select(QuarantinedItem.reason).order_by(QuarantinedItem.locator)).all()
    assert reasons == ["kolom ID kosong / column ID is empty",
                       "waktu 'kemarin sore' tidak terbaca (contoh 2026-11-20 08:00 atau 20/11/2026 08:00) / "
                       "unreadable time"]


def test_facebook_import_stores_channel_facebook(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    import_file(factory, fixtures_dir / "facebook/feed_page.json", "fb-json", WIB)
    with factory() as session:
        channels = set(session.scalars(select(Post.channel)))
    assert channels == {"facebook"}


def test_unknown_format_is_refused(factory: sessionmaker[Session], fixtures_dir: Path) -> None:
    with pytest.raises(UnknownFormat, match="x-json"):
        import_file(factory, fixtures_dir / "sms/inbox.csv", "whatsapp", WIB)


def test_missing_file_is_a_clear_error(factory: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable, match="cannot read"):
        import_file(factory, tmp_path / "hilang.csv", "sms-csv", WIB)
