"""The location tagger's inner loop: raw hits of one post and of a batch, and what counts as a mention."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classify.location import LocationTagger
from classify.location_scan import mentions, normalise, raw_hits, raw_hits_many

WORDS = ["Bandar", "Lampung", "Selatan", "Jati", "Mulyo", "jatimulyo", "Natar", "di", "kec.", "ds", "pak",
         "@Natar", "Natar@gmail.com", "jalan", "rusak", ".", ",", "KALIANDA", "Kalianda", "  ", "\n", "é",
         "𝐍𝐚𝐭𝐚𝐫", "❤\u200d🔥", "Ｋａｌｉａｎｄａ"]


@pytest.fixture(scope="module")
def automaton():
    return LocationTagger().fit().automaton_


def padded(text: str) -> str:
    return f" {normalise(text)} "


def found_names(automaton, text: str) -> list[str]:
    return [text[start:end] for start, end, _ in raw_hits(automaton, padded(text))]


def test_a_name_inside_a_longer_one_is_dropped(automaton) -> None:
    assert found_names(automaton, "macet di Bandar Lampung") == ["Bandar Lampung"]
    assert found_names(automaton, "Lampung Selatan") == ["Lampung Selatan"]  # both start at the same word
    assert found_names(automaton, "Kalianda, Lampung Selatan") == ["Kalianda", "Lampung Selatan"]


def test_raw_hits_come_in_the_order_they_are_written(automaton) -> None:
    text = "dari Natar ke Jati Mulyo lewat Bandar Lampung lalu Kalianda"
    starts = [start for start, _, _ in raw_hits(automaton, padded(text))]
    assert starts == sorted(starts) and len(starts) == 4


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join), max_size=12))
def test_a_batch_scan_finds_what_each_post_scan_finds(automaton, texts: list[str]) -> None:
    many = raw_hits_many(automaton, texts)
    for text, scanned in zip(texts, many, strict=True):
        alone = raw_hits(automaton, padded(text))
        if not alone:
            assert scanned is None
        else:
            assert scanned == (padded(text), alone)


def cues(automaton, text: str) -> list[tuple[str, int | None, bool]]:
    """(name, cue level, capitalised) of each mention that counts."""
    found = raw_hits(automaton, padded(text))
    return [(text[s:e], cue, capital) for s, e, _, cue, capital in mentions(text, padded(text), found)]


def test_a_cue_word_names_the_level(automaton) -> None:
    assert cues(automaton, "banjir di kec. Natar") == [("Natar", 3, False)]  # after a full stop: no capital
    assert cues(automaton, "banjir di ds Jati Mulyo") == [("Jati Mulyo", 4, True)]


def test_a_sentence_end_cuts_the_cue_but_kec_dot_does_not(automaton) -> None:
    assert cues(automaton, "banjir parah. Natar juga") == [("Natar", None, False)]
    assert cues(automaton, "kec. natar") == [("natar", 3, False)]


def test_the_opening_name_has_cue_zero_and_no_capital(automaton) -> None:
    assert cues(automaton, "Natar, jalan rusak") == [("Natar", 0, False)]


def test_honorifics_and_handles_are_not_places(automaton) -> None:
    assert cues(automaton, "laporan ke pak Natar") == []
    assert cues(automaton, "tolong @Natar cek") == []
    assert cues(automaton, "kirim ke Natar@gmail.com") == []


def test_a_capital_counts_inside_a_sentence_unless_the_post_shouts(automaton) -> None:
    assert cues(automaton, "jalan rusak Kalianda") == [("Kalianda", None, True)]
    assert cues(automaton, "JALAN RUSAK KALIANDA") == [("KALIANDA", None, False)]
    assert cues(automaton, "jalan rusak. Kalianda parah") == [("Kalianda", None, False)]
