"""Each channel's parser: posts from good items, a reason for every bad one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ingest.facebook.payload import parse_page as parse_facebook
from ingest.payload_checks import parse_local_time
from ingest.sms.payload import parse_inbox_csv
from ingest.twitter.payload import parse_page as parse_x


def test_x_page_links_retweet_author_and_place(fixtures_dir: Path) -> None:
    page = parse_x((fixtures_dir / "twitter/mentions_page.json").read_bytes())
    by_id = {post.source_id: post for post in page.posts}
    assert len(page.posts) == 3 and page.rejected == []
    assert by_id["1991000000000000003"].retweet_of_id == "1991000000000000001"
    assert by_id["1991000000000000002"].geo_hint == "Natar, Indonesia"
    assert by_id["1991000000000000001"].author_handle == "warga_natar"
    assert by_id["1991000000000000001"].url == "https://x.com/warga_natar/status/1991000000000000001"
    assert by_id["1991000000000000001"].created_at == datetime(2026, 11, 20, tzinfo=UTC)
    assert page.cursor == "1991000000000000003"


def test_x_author_missing_from_includes_keeps_the_post(fixtures_dir: Path) -> None:
    page = parse_x((fixtures_dir / "twitter/mentions_page.json").read_bytes())
    retweet = next(p for p in page.posts if p.source_id == "1991000000000000003")
    assert retweet.author_id == "3003" and retweet.author_handle is None
    assert retweet.url == "https://x.com/i/web/status/1991000000000000003"


def test_x_malformed_items_are_rejected_with_reasons(fixtures_dir: Path) -> None:
    page = parse_x((fixtures_dir / "twitter/mentions_page_malformed_items.json").read_bytes())
    assert [p.source_id for p in page.posts] == ["1991000000000000010"]
    reasons = {r.locator: r.reason for r in page.rejected}
    assert set(reasons) == {"data[1]", "data[2]", "data[3]"}
    assert "'id'" in reasons["data[1]"] and "'created_at'" in reasons["data[2]"] and "'text'" in reasons["data[3]"]


def test_x_page_that_is_not_json_raises_value_error(fixtures_dir: Path) -> None:
    with pytest.raises(ValueError):
        parse_x((fixtures_dir / "twitter/truncated_page.json").read_bytes())


def test_facebook_comments_and_replies_become_posts_but_page_speech_does_not(fixtures_dir: Path) -> None:
    page = parse_facebook((fixtures_dir / "facebook/feed_page.json").read_bytes())
    ids = [p.source_id for p in page.posts]
    assert ids == ["200000000000001_300000000000001", "200000000000001_300000000000002",
                   "105000000000001_200000000000002"]
    reply = page.posts[1]
    assert reply.parent_id == "200000000000001_300000000000001" and reply.author_name == "Rina"


def test_facebook_photo_without_message_is_quarantined_as_no_text(fixtures_dir: Path) -> None:
    page = parse_facebook((fixtures_dir / "facebook/feed_page.json").read_bytes())
    assert [(r.locator, r.reason_code) for r in page.rejected] == [("data[0].comments[1]", "no_text")]


def test_facebook_error_body_is_refused(fixtures_dir: Path) -> None:
    with pytest.raises(ValueError, match="190"):
        parse_facebook((fixtures_dir / "facebook/token_expired.json").read_bytes())


def test_sms_inbox_rows_use_local_time_and_modem_scoped_ids(fixtures_dir: Path) -> None:
    page = parse_inbox_csv((fixtures_dir / "sms/inbox.csv").read_bytes(), ZoneInfo("Asia/Jakarta"))
    first = page.posts[0]
    assert first.source_id == "lamsel-sms1:101@20261120T011533Z"
    assert first.created_at == datetime(2026, 11, 20, 1, 15, 33, tzinfo=UTC)
    assert first.author_id == "+6281200000001"
    assert len(page.posts) == 3
    assert [r.locator for r in page.rejected] == ["row 4", "row 5"]


def test_csv_without_gammu_columns_is_refused() -> None:
    with pytest.raises(ValueError, match="missing columns"):
        parse_inbox_csv(b"nomor,pesan\n0812,halo\n")


@pytest.mark.parametrize("written", ["2026-11-20 08:00", "20/11/2026 08:00", "20/11/2026 08.00", "20-11-2026 08:00:00"])
def test_local_times_as_offices_write_them(written: str) -> None:
    assert parse_local_time(written, ZoneInfo("Asia/Jakarta")) == datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def test_an_unreadable_time_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match="20/11/2026 08:00"):
        parse_local_time("kemarin sore", ZoneInfo("Asia/Jakarta"))


def _x_page(tweet: dict) -> bytes:
    return json.dumps({"data": [tweet], "meta": {"result_count": 1, "newest_id": tweet["id"]}}).encode()


def test_a_long_x_post_is_stored_whole_from_its_note_tweet() -> None:
    whole = "jalan lintas timur di ketapang rusak parah " * 12
    tweet = {"id": "1993000000000000001", "text": whole[:275] + "…", "created_at": "2026-11-20T00:00:00.000Z",
             "note_tweet": {"text": whole}}
    [post] = parse_x(_x_page(tweet)).posts
    assert post.text == whole


def test_a_reference_without_an_id_costs_only_the_link() -> None:
    tweet = {"id": "1993000000000000002", "text": "banjir di natar", "created_at": "2026-11-20T00:00:00.000Z",
             "referenced_tweets": [{"type": "replied_to"}]}
    page = parse_x(_x_page(tweet))
    assert [post.source_id for post in page.posts] == ["1993000000000000002"] and page.rejected == []
    assert page.posts[0].reply_to_id is None


def test_an_x_answer_holding_only_errors_is_refused_with_their_reason() -> None:
    body = json.dumps({"errors": [{"detail": "Could not find user with id: [1500000000000000404].",
                                   "title": "Not Found Error", "resource_type": "user"}]}).encode()
    with pytest.raises(ValueError, match="Could not find user"):
        parse_x(body)


GAMMU_HEADER = "ID,ReceivingDateTime,SenderNumber,UDH,TextDecoded,RecipientID\n"


def test_the_parts_of_a_long_sms_become_one_post() -> None:
    body = (GAMMU_HEADER
            + "201,2026-11-20 08:00:01,+6281200000005,050003A70202,\" jalan desa rusak parah mohon segera\",m1\n"
            + "200,2026-11-20 08:00:00,+6281200000005,050003A70201,\"pak bupati, di sidomulyo sudah 3 bulan\",m1\n"
            + "202,2026-11-20 08:05:00,+6281200000006,,halo min,m1\n").encode()
    page = parse_inbox_csv(body)
    assert [(p.source_id, p.text) for p in page.posts] == [
        ("m1:200@20261120T010000Z", "pak bupati, di sidomulyo sudah 3 bulan jalan desa rusak parah mohon segera"),
        ("m1:202@20261120T010500Z", "halo min"),
    ]


def test_a_long_sms_with_a_part_missing_keeps_its_parts() -> None:
    body = (GAMMU_HEADER + "300,2026-11-20 08:00:00,+6281200000007,06080400010301,bagian satu,m1\n"
            + "301,2026-11-20 08:00:01,+6281200000007,06080400010302,bagian dua,m1\n").encode()
    assert [p.source_id for p in parse_inbox_csv(body).posts] == ["m1:300@20261120T010000Z", "m1:301@20261120T010001Z"]
