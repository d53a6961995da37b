"""Personal data: what is found, what is not, and masking that never unmasks or re-masks."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.pii import KINDS, find_pii, find_pii_many, mask_pii
from classify.text import normalize


def kinds_in(text: str) -> list[tuple[str, str]]:
    return [(span.kind, span.text) for span in find_pii(text)]


@pytest.mark.parametrize(
    "nik",
    ["1801012345670001", "1801 0123 4567 0001", "1801.0123.4567.0001", "1801-0123-4567-0001", "180101 234567 0001"],
)
def test_nik_written_in_groups(nik: str) -> None:
    assert kinds_in(f"mohon dibantu, NIK saya {nik} belum terdaftar") == [("nik", nik)]


def test_nik_without_a_cue_needs_a_province_code() -> None:
    assert kinds_in("data 3201012345670001 hilang") == [("nik", "3201012345670001")]
    assert kinds_in("nomor resi 9912345678901234 belum sampai") == []


@pytest.mark.parametrize("number", ["0000000000000000", "1234567890123456", "1111111111111111", "4111111111111111"])
def test_placeholder_and_card_like_numbers_are_not_nik(number: str) -> None:
    assert find_pii(f"nomor {number}") == []


def test_cue_word_makes_any_sixteen_digits_an_id() -> None:
    assert kinds_in("NIK: 0000000000000000") == [("nik", "0000000000000000")]


@pytest.mark.parametrize(
    "text", ["no kk 1801012345670002", "No. KK: 1801 0123 4567 0002", "kartu keluarga nomor 1801012345670002"]
)
def test_kk_after_a_kk_cue(text: str) -> None:
    assert [kind for kind, _ in kinds_in(text)] == ["kk"]


def test_nik_and_kk_in_one_post() -> None:
    found = kinds_in("NIK 1801012345670001 dan KK 1801012345670002")
    assert found == [("nik", "1801012345670001"), ("kk", "1801012345670002")]


@pytest.mark.parametrize(
    "phone", ["081234567890", "0812-3456-7890", "0812 3456 789", "+62 812 3456 7890", "+6281234567890", "6281234567890",
              "+62 0812 3456 7890", "0812  3456  7890"]
)
def test_phone_numbers(phone: str) -> None:
    assert kinds_in(f"hubungi {phone} ya min") == [("phone", phone)]


@pytest.mark.parametrize("text", ["hp081234567890", "WA081234567890 a.n budi", "no.hp:081234567890"])
def test_a_phone_number_written_right_after_a_word(text: str) -> None:
    assert kinds_in(text) == [("phone", "081234567890")]


LOOK_ALIKES = {
    "full-width digits": "NIK １８０１０１２３４５６７０００１",
    "zero-width space inside": "NIK 1801\u200b012345670001",
    "soft hyphens as groups": "nik 1801\u00ad0123\u00ad4567\u00ad0001",
    "no-break spaces": "NIK 1801\u00a00123\u00a04567\u00a00001",
    "en dashes": "NIK 1801\u20130123\u20134567\u20130001",
    "two spaces": "NIK : 1801  0123  4567  0001",
    "bold digits": "hp 𝟎𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖𝟗𝟎",
}


@pytest.mark.parametrize("text", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys())
def test_look_alike_characters_hide_no_number(text: str) -> None:
    """What the normaliser folds to digits is a number here too: neither copy of a post may show it."""
    [span] = find_pii(text)
    assert text[span.start : span.end] == span.text
    masked = mask_pii(text)
    assert find_pii(masked) == [] and find_pii(normalize(masked)) == []
    assert sum(ch.isdigit() for ch in masked) <= 8  # what the partial mask keeps on purpose
    assert mask_pii(text, style="token").endswith(("[NIK]", "[TELEPON]"))


@pytest.mark.parametrize("text", ["0812345", "08123456789012345", "jam 08.00 WIB", "(0721) 123456"])
def test_not_phone_numbers(text: str) -> None:
    assert find_pii(text) == []


def test_email() -> None:
    assert kinds_in("kirim ke budi.santoso+lapor@mail.lampungselatankab.go.id ya") == [
        ("email", "budi.santoso+lapor@mail.lampungselatankab.go.id")
    ]


@pytest.mark.parametrize("plate", ["BE 1234 XY", "BE1234XY", "B 1234 ABC", "AD 77 K", "B 1 RI", "BE12XY", "BE1A",
                                   "B1RI", "AD1K"])
def test_vehicle_plates(plate: str) -> None:
    assert kinds_in(f"mobil {plate} parkir sembarangan") == [("plate", plate)]


@pytest.mark.parametrize("text", ["ikut kb 2 anak", "E 10 KM dari Kalianda", "RT 03 RW 02", "be 1234 xy",
                                  "gaji guru P3K blm cair", "data P3KE tdk sesuai", "sosialisasi P4GN di balai desa",
                                  "pinjol P2P nagih ke kantor"])
def test_not_plates(text: str) -> None:
    assert find_pii(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "tahun 2024 jalan belum diperbaiki",
        "harga pupuk Rp 1.500.000 per ton",
        "anggaran Rp 1.500.000.000.000.000 kemana",
        "dana desa 1.500.000.000.000.000",
        "tanggal 17-08-2025 jam 10.30",
    ],
)
def test_years_dates_and_prices_are_not_personal_data(text: str) -> None:
    assert find_pii(text) == []


def test_partial_masking_keeps_what_staff_need() -> None:
    text = "NIK 1801 0123 4567 0001, hp 0812-3456-7890, email budi@gmail.com, mobil BE 1234 XY"
    assert mask_pii(text) == "NIK 1801 **** **** 0001, hp 0812-****-**90, email b***@gmail.com, mobil BE **** XY"


def test_token_masking_uses_the_shared_data_tokens() -> None:
    text = "NIK 1801012345670001 hp +62 812 3456 7890 budi@gmail.com"
    assert mask_pii(text, style="token") == "NIK [NIK] hp [TELEPON] [EMAIL]"


def test_masking_only_the_kinds_asked_for() -> None:
    text = "hp 081234567890 email budi@gmail.com"
    assert mask_pii(text, kinds=["email"]) == "hp 081234567890 email b***@gmail.com"
    with pytest.raises(ValueError, match="unknown"):
        mask_pii(text, kinds=["alamat"])


def test_text_without_personal_data_is_returned_unchanged() -> None:
    text = "jalan rusak di desa Jati Mulyo 🙏"
    assert mask_pii(text) is text


pii_text = st.lists(
    st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            [
                " NIK 1801 0123 4567 0001 ",
                " no kk 1801012345670002",
                "0812-3456-7890",
                "+62 812 3456 7890",
                " budi.s@gmail.com ",
                " BE 1234 XY ",
                "Rp 1.500.000",
                "3201012345670001",
                "*",
                "@",
                "１８０１０１２３４５６７０００１",
                "0812\u200b3456\u200b7890",
                "hp081234567890",
            ]
        ),
    ),
    max_size=8,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=120), pii_text), style=st.sampled_from(["partial", "token"]))
def test_masking_is_idempotent(text: str, style: str) -> None:
    once = mask_pii(text, style=style)
    assert mask_pii(once, style=style) == once
    assert find_pii(once) == []


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=120), pii_text))
def test_spans_point_into_the_text_and_do_not_overlap(text: str) -> None:
    spans = find_pii(text)
    for span in spans:
        assert text[span.start : span.end] == span.text and span.kind in KINDS
    assert all(a.end <= b.start for a, b in pairwise(spans))


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.one_of(st.text(max_size=60), pii_text), max_size=6))
def test_a_batch_finds_what_each_post_finds(texts: list[str]) -> None:
    """The batch looks only at posts whose shape shows a number, a plate or an "@": never one too few."""
    assert find_pii_many(texts) == [find_pii(text) for text in texts]


@pytest.mark.parametrize("text", ["hp 0812345678 ya", "motor B 1 X hilang", "hp 0812.345.678", "a@b.id", "2024"])
def test_a_batch_finds_the_shortest_numbers_and_plates(text: str) -> None:
    assert find_pii_many(["jalan rusak", text]) == [[], find_pii(text)]


def test_a_post_holding_a_nul_is_still_scanned() -> None:
    texts = ["NIK 1801012345670001\x00 BE 1234 XY", "jalan rusak", "\x00"]
    assert find_pii_many(texts) == [find_pii(text) for text in texts]
    assert [span.kind for span in find_pii_many(texts)[0]] == ["nik", "plate"]
