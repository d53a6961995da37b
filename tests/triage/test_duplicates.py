"""Duplicate kinds, through the real triage run: what must merge, and what must not."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from triage_helpers import wib

from pilah.schema import Post, Report
from triage import textsig
from triage.duplicates import near_similarity, places_differ
from triage.groups import group_size
from triage.pipeline import run_triage

ROAD = "jalan di ds. jatimulyo kec. jati agung rusak parahhh, lubang2 segede kolam ikan, tiap ujan motor pd jatoh"


@pytest.fixture
def triage_all(factory: sessionmaker[Session], directory: Session, triage_settings, fake_tagger, calendar):
    def run() -> dict[str, Report]:
        run_triage(factory, triage_settings, fake_tagger, calendar, now=wib(2026, 11, 23, 7))
        with factory() as session:
            rows = session.execute(select(Post.source_id, Report).join(Report, Report.post_id == Post.id))
            return {source_id: report for source_id, report in rows}
    return run


def post_at(day: int, hour: int = 9) -> datetime:
    return wib(2026, 11, day, hour)


def test_retweets_join_the_original(make_post, triage_all) -> None:
    make_post(f"@pemkablamsel {ROAD} #LaporBupati", source_id="100", author_id="a", created_at=post_at(10))
    make_post(f"RT @bayu: @pemkablamsel {ROAD[:90]}…", source_id="101", author_id="b", created_at=post_at(10, 11),
              retweet_of_id="100")
    make_post(f"RT @bayu: @pemkablamsel {ROAD[:90]}…", source_id="102", author_id="c", created_at=post_at(11),
              retweet_of_id="100")
    reports = triage_all()
    head = reports["100"]
    assert head.duplicate_of_id is None
    assert [(reports[s].duplicate_of_id, reports[s].duplicate_kind) for s in ("101", "102")] == [
        (head.id, "retweet"), (head.id, "retweet")]


def test_retweets_of_a_tweet_we_never_stored_group_together(make_post, triage_all) -> None:
    make_post("RT @infolamsel: jembatan gantung di Kekiling papannya lapuk…", source_id="201", created_at=post_at(10),
              retweet_of_id="999")
    make_post("dari jaman sy SD jembatan ini udh begini", source_id="202", created_at=post_at(11), quote_of_id="999")
    reports = triage_all()
    assert reports["201"].duplicate_of_id is None
    assert (reports["202"].duplicate_of_id, reports["202"].duplicate_kind) == (reports["201"].id, "quote")


def test_the_same_sms_sent_twice(make_post, triage_all) -> None:
    text = "LAPOR JALAN DS SUKABAKTI KEC PALAS RUSAK PARAH MHN DIPERBAIKI TRMKSH"
    for n, hour in ((1, 9), (2, 12)):
        make_post(text, channel="sms", source_id=f"sms:{n}", author_id="+6285600000001", created_at=post_at(12, hour))
    reports = triage_all()
    second = reports["sms:2"]
    assert (second.duplicate_of_id, second.duplicate_kind, second.duplicate_similarity) == (
        reports["sms:1"].id, "exact", 1.0)
    assert second.text_hash == reports["sms:1"].text_hash


def test_the_same_complaint_on_x_and_facebook(factory, make_post, triage_all) -> None:
    make_post("pustu di pulau sebesi raja basa gk ada bidan udh sebulan. ibu hamil harus nyebrang ke canti pake perahu",
              source_id="300", author_id="x-1", author_name="Siti Rohmah", created_at=post_at(10))
    make_post("Pak, pustu di pulau sebesi sudah sebulan gk ada bidan. Ibu2 hamil harus nyebrang ke dermaga canti "
              "naik perahu buat periksa, kalau ombak besar bahaya sekali. Mohon dinkes segera tempatkan bidan lagi",
              channel="facebook", source_id="1_300", author_id="fb-9", author_name="Siti  Rohmah",
              created_at=post_at(10, 15))
    reports = triage_all()
    assert (reports["1_300"].duplicate_of_id, reports["1_300"].duplicate_kind) == (reports["300"].id, "cross_channel")
    with factory() as session:
        size = group_size(session, reports["300"].id)
    assert (size.reports, size.reporters) == (2, 2)  # another channel's copy counts as one more reporter


def test_near_duplicate_with_an_extra_sentence(make_post, triage_all) -> None:
    base = ("Jalan penghubung rulung helok - rulung raya di Natar sudah rusak berat, aspalnya habis tinggal batu2 "
            "lepas. Kalo malam gelap dan banyak yg jatuh. Mohon dianggarkan tahun depan pak")
    make_post(base, channel="facebook", source_id="1_1", author_id="p1", created_at=post_at(13))
    make_post("Sy jg warga rulung helok pak, anak sy kemarin jatuh disitu. " + base, channel="facebook",
              source_id="1_2", author_id="p2", created_at=post_at(13, 20))
    reports = triage_all()
    member = reports["1_2"]
    assert (member.duplicate_of_id, member.duplicate_kind) == (reports["1_1"].id, "near")
    assert member.duplicate_similarity >= 0.6


def test_two_complaints_about_the_same_street_stay_apart(make_post, triage_all) -> None:
    make_post("@pemkablamsel lubang besar di Jl. Raya Natar pas depan Pasar Natar makin lebar, tadi pagi ada ibu2 "
              "jatuh dr motor. tlg ditambal pak", source_id="401", created_at=post_at(14))
    make_post("@pemkablamsel lampu PJU di Jl. Raya Natar depan pasar natar mati semua dr minggu lalu. malem gelap "
              "gulita, rawan begal", source_id="402", created_at=post_at(14, 13))
    make_post("akta kelahiran anak sy blm jadi. sy wrg ds Sukamarga Sidomulyo", channel="sms", source_id="sms:30",
              author_id="+6283800000003", created_at=post_at(15, 8))
    make_post("pak satu lagi, bpnt ds sukamarga sidomulyo jg blm cair 2 bln", channel="sms", source_id="sms:31",
              author_id="+6283800000003", created_at=post_at(15, 9))
    reports = triage_all()
    assert all(r.duplicate_of_id is None for r in reports.values())


def test_the_same_author_repeating_in_other_words(make_post, triage_all) -> None:
    make_post("sampah di pasar natar numpuk udh seminggu gk diangkut, bau bgt", channel="sms", source_id="sms:40",
              author_id="+6281", created_at=post_at(16, 8))
    make_post("pak sampah pasar natar msh numpuk blm diangkut jg", channel="sms", source_id="sms:41",
              author_id="+6281", created_at=post_at(17, 8))
    reports = triage_all()
    assert (reports["sms:41"].duplicate_of_id, reports["sms:41"].duplicate_kind) == (
        reports["sms:40"].id, "author_repeat")


LETTER = ("Dengan hormat, kami warga kecamatan {} mohon perbaikan jalan kabupaten yang rusak parah sudah dua tahun, "
          "banyak warga jatuh terutama malam hari. Mohon segera ditindaklanjuti. Terima kasih")


def test_one_letter_sent_from_two_kecamatan_is_two_complaints(make_post, triage_all) -> None:
    make_post(LETTER.format("natar"), channel="facebook", source_id="5_1", author_id="f1", created_at=post_at(16))
    make_post(LETTER.format("palas"), channel="facebook", source_id="5_2", author_id="f2", created_at=post_at(16, 10))
    make_post(LETTER.format("natar") + " pak", channel="facebook", source_id="5_3", author_id="f3",
              created_at=post_at(16, 11))
    reports = triage_all()
    assert reports["5_2"].duplicate_of_id is None
    assert (reports["5_3"].duplicate_of_id, reports["5_3"].duplicate_kind) == (reports["5_1"].id, "near")


def test_a_copy_naming_no_place_does_not_chain_two_places_into_one_group(make_post, triage_all) -> None:
    make_post(LETTER.format("natar"), channel="facebook", source_id="9_1", author_id="k1", created_at=post_at(16))
    make_post(LETTER.format("kami"), channel="facebook", source_id="9_2", author_id="k2", created_at=post_at(16, 10))
    make_post(LETTER.format("palas"), channel="facebook", source_id="9_3", author_id="k3", created_at=post_at(16, 11))
    reports = triage_all()
    assert reports["9_2"].duplicate_of_id == reports["9_1"].id
    assert reports["9_3"].duplicate_of_id is None


def test_a_post_repeating_another_whole_joins_it_whatever_place_it_adds(make_post, triage_all) -> None:
    base = LETTER.format("palas")
    make_post(base, channel="facebook", source_id="6_1", author_id="g1", created_at=post_at(16))
    make_post("Sy warga kalianda, sama pak. " + base, channel="facebook", source_id="6_2", author_id="g2",
              created_at=post_at(16, 10))
    reports = triage_all()
    assert (reports["6_2"].kecamatan_code, reports["6_1"].kecamatan_code) == ("18.01.06", "18.01.10")
    assert reports["6_2"].duplicate_of_id == reports["6_1"].id


def test_one_author_reporting_two_places_is_two_complaints(make_post, triage_all) -> None:
    make_post("jalan di natar rusak parah mohon diperbaiki", channel="sms", source_id="sms:70", author_id="+6282",
              created_at=post_at(16, 8))
    make_post("pak jalan di palas jg rusak parah mohon diperbaiki", channel="sms", source_id="sms:71",
              author_id="+6282", created_at=post_at(16, 9))
    reports = triage_all()
    assert reports["sms:71"].duplicate_of_id is None


def test_a_corrected_place_counts_in_a_later_run(make_post, triage_all, factory) -> None:
    make_post(LETTER.format("natar"), channel="facebook", source_id="7_1", author_id="h1", created_at=post_at(16))
    first = triage_all()
    with factory.begin() as session:
        session.get(Report, first["7_1"].id).kecamatan_code = "18.01.10"
    make_post(LETTER.format("natar").replace("Terima kasih", "Trims"), channel="facebook", source_id="7_2",
              author_id="h2", created_at=post_at(17))
    second = triage_all()
    assert (second["7_1"].kecamatan_code, second["7_2"].duplicate_of_id) == ("18.01.10", None)


@pytest.mark.parametrize(("a", "b", "differ"), [
    (("18.01.04", "18.01.04.2001"), ("18.01.04", "18.01.04.2002"), True),
    (("18.01.04", "18.01.04.2001"), ("18.01.04", "18.01.04.2001"), False),
    (("18.01.04", None), ("18.01.10", None), True),
    (("18.01.04", None), ("18.01.04", "18.01.04.2002"), False),
    ((None, None), ("18.01.10", "18.01.10.2001"), False),
    (("18.01.04", "18.01.04.2001"), (None, "18.01.10.2001"), True),
    (("18.01.10", "18.01.04.2001"), ("18.01.04", "18.01.04.2001"), True),  # kecamatan corrected, desa left
])
def test_places_differ_only_on_two_known_places(a, b, differ: bool) -> None:
    assert places_differ(a, b) is differ


def test_posts_outside_the_window_do_not_merge(make_post, triage_all, triage_settings) -> None:
    text = "LAPOR JALAN DS SUKABAKTI KEC PALAS RUSAK PARAH MHN DIPERBAIKI"
    make_post(text, channel="sms", source_id="sms:50", created_at=wib(2026, 10, 1, 9))
    make_post(text, channel="sms", source_id="sms:51", created_at=wib(2026, 11, 1, 9))
    reports = triage_all()
    assert reports["sms:51"].duplicate_of_id is None


def test_an_incremental_run_matches_against_earlier_runs(make_post, triage_all) -> None:
    text = "BALAP LIAR DI JLN DS PALEMBAPANG KALIANDA TIAP MALAM. MHN DITERTIBKAN"
    make_post(text, channel="sms", source_id="sms:60", created_at=post_at(18, 21))
    first = triage_all()
    make_post(text, channel="sms", source_id="sms:61", created_at=post_at(19, 21))
    second = triage_all()
    assert second["sms:61"].duplicate_of_id == first["sms:60"].id


@pytest.mark.parametrize(("a", "b", "merged"), [
    ("mohon perbaiki jln provinsi ketapang - bakauheni. banyak lubang. warga ketapang",
     "MOHON PERBAIKI JLN PROVINSI KETAPANG-BAKAUHENI. BANYAK LUBANG SDH BNYK KORBAN. WARGA KETAPANG", True),
    ("jalan rusak di natar", "jalan rusak di palas", False),
    ("sampah numpuk di jati mulyo", "jalan rusak di jati mulyo", False),
])
def test_near_similarity(a: str, b: str, merged: bool) -> None:
    sa, sb = textsig.shingles(textsig.tokens(a)), textsig.shingles(textsig.tokens(b))
    assert (near_similarity(sa, sb, 0.6) is not None) is merged
