"""The normaliser for informal Indonesian (issue 3, item 1) and the stemmed feature tokens."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_parameters_default_constructible

from classify.text import TextNormalizer, _pattern_for, normalize, normalizer_for, stem, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("udh 3 hr gk ada yg dtg", "sudah 3 hari tidak ada yang datang"),  # slang from the lexicon
        ("jalan rusak2 semua", "jalan rusak-rusak semua"),  # reduplication with a 2
        ("kata2nya mati2an", "kata-katanya mati-matian"),
        ("parahhh bangeeet", "parah banget"),  # elongation undone
        ("Maaaf", "maaf"),  # the shorter known spelling wins
        ("sudah 2mgg", "sudah 2 minggu"),  # number + unit: split, never de-elongated
        ("KK saya hilang", "kk saya hilang"),  # Kartu Keluarga, not "kakak"
        ("kel. Way Urang", "kelurahan way urang"),
        ("ds. Jatimulyo kec. Jati Agung kab. Lamsel", "desa jatimulyo kecamatan jati agung kabupaten lampung selatan"),
        ("rt02 rw 3", "rt 02 rw 3"),
        ("SMP negeri", "smp negeri"),  # a school, not "sampai"
        ("Dusun III, Dsn VIII", "dusun iii dusun viii"),  # Roman numerals are not elongated
        ("seleksi PPPK", "seleksi pppk"),  # government contract staff, not "bapak"
    ],
)
def test_normalize_cases(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_place_names_are_never_rewritten() -> None:
    # no fuzzy correction: "kalianda" must not become "kalian"; elongation is not undone in names
    assert normalize("Banjir di Kalianda") == "banjir di kalianda"
    assert normalize("jalan Jatimulyo") == "jalan jatimulyo"


def test_links_mentions_and_hashtags_stay_tokens() -> None:
    out = normalize("Lapor @DPUPR_Lamsel #JalanRusak https://t.co/AbC9x).")
    assert out == "lapor @dpupr_lamsel #jalanrusak jalan rusak https://t.co/AbC9x"


def test_hashtag_parts_only_when_known() -> None:
    assert normalize("#xqzvwpl") == "#xqzvwpl"


def test_unicode_lookalikes_and_invisible_characters() -> None:
    assert normalize("ＪＡＬＡＮ ja\u200blan") == "jalan jalan"


def test_tokens_stem_with_exceptions_and_keep_negations() -> None:
    assert tokens("kerusakan jalan belum diperbaiki") == ["rusak", "jalan", "belum", "baik"]
    assert stem("pemadaman") == "padam"
    assert "tidak" in tokens("lampu tidak menyala")
    assert "yang" not in tokens("jalan yang rusak")  # a stopword


def test_tokens_drop_links_and_numbers_keep_handles() -> None:
    assert tokens("lapor @dinkes 081234 https://x.id/a") == ["lapor", "@dinkes"]


def test_text_normalizer_contract() -> None:
    check_parameters_default_constructible("TextNormalizer", TextNormalizer())
    normalizer = TextNormalizer()
    with pytest.raises(NotFittedError):
        normalizer.transform(["x"])
    assert normalizer.fit(["x"]) is normalizer
    assert clone(normalizer).get_params() == normalizer.get_params()
    assert normalizer.transform(["Jln RUSAK"]) == ["jalan rusak"]
    with pytest.raises(TypeError):
        normalizer.transform("one string")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_normalize_never_crashes_and_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once
    assert "  " not in once and once == once.strip()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["jln", "rusak2", "parahhh", "#jalanrusak", "kel.", "kk", "2mgg", "@pemkab",
                                  "kalianda", "tdk", "https://t.co/x", "İ", "ﬁ", "-", "_", "#", "'", "gpp"]),
                max_size=12))
def test_normalize_is_idempotent_on_social_media_pieces(pieces: list[str]) -> None:
    text = " ".join(pieces)
    assert normalize(normalize(text)) == normalize(text)
    assert isinstance(tokens(text), list)


def _cut_whole(text: str) -> str:
    """The normaliser's result computed the first way: the whole text cleaned up and cut at once."""
    normaliser = normalizer_for()
    if not text.isascii():
        text = unicodedata.normalize("NFKC", re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text))
    text = text.replace("'", "").replace("’", "")
    whole = " ".join(filter(None, map(normaliser._pieces.__getitem__, _pattern_for(text).findall(text))))
    return normaliser.drop_repeated_expansions(whole) if "#" in whole else whole


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["jln", "rusak2", "parahhh", "#jalanrusak", "kel.", "kk", "2mgg", "@pemkab", "a@b.id",
                                  "kalianda,", "tdk!", "https://t.co/x", "www.x.id", "İ", "-", "_", "#", "rt05", "\t",
                                  "\n", " ", "(", ")", "...", "jum'at", "’", "ａ", "¨", "\u200b", "\u00a0", "ﬁ"]),
                max_size=12).map("".join))
def test_normalising_chunk_by_chunk_equals_cutting_the_whole_text(text: str) -> None:
    """The per-chunk cache is only a speed-up: the whole text cleaned up and cut at once gives the same."""
    assert normalizer_for().normalize(text) == _cut_whole(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_normalising_chunk_by_chunk_equals_cutting_any_whole_text(text: str) -> None:
    assert normalizer_for().normalize(text) == _cut_whole(text)
