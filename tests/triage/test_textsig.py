"""The duplicate tokeniser: its shortcuts must give what the plain pass-by-pass definition gives."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage import textsig


def reference_tokens(text: str) -> list[str]:
    """Every pass, always, one word at a time: what `tokens` means."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"^rt @\w+:?\s*", "", folded)
    folded = re.sub(r"[@#]\w+", " ", re.sub(r"https?://\S+|www\.\S+", " ", folded))
    folded = re.sub(r"([a-z])\1{2,}", r"\1", folded)
    words: list[str] = []
    for word in re.findall(r"[a-z0-9]+", folded):
        twice = re.fullmatch(r"([a-z]{3,})2", word)
        for part in [twice[1]] * 2 if twice else [word]:
            if re.fullmatch(r"[a-z]{4,}nya", part) and not part.endswith("tanya"):
                part = part[:-3]
            words.extend(textsig._SPELLINGS.get(part, part).split())
    return words


@pytest.mark.parametrize("text", [
    "",
    "RT @bayu: @pemkablamsel jalan di ds. jatimulyo rusak parahhh #LaporBupati",
    "rt @x",
    "cek www.lapor.go.id/a@b atau https://t.co/x#y dan #http://x",
    "a@www.foo.com",
    "ＡＢＣ １２３ ﬁle Hééé İstanbul ß",
    "trmksh pak, tks, makasih yg sdh bantu",
    "@#a ## @@ rt @",
    "jalannya2 lubangnya2",
    "lubang2 di jalannya makin besar, anak2 sdh bertanya kpn rusaknya diperbaiki, hanya itu2 saja covid2 s2",
])
def test_tokens_match_the_plain_definition(text: str) -> None:
    assert textsig.tokens(text) == reference_tokens(text)


TRICKY_PARTS = ["jalan", "nya", "2", "tanya", "ber", "lubang", "jln", "anak", " ", "-", "sdh", "a", "é", "N"]


@given(st.lists(st.sampled_from(TRICKY_PARTS), max_size=12).map("".join))
def test_tokens_match_the_plain_definition_on_any_mix_of_the_tricky_parts(text: str) -> None:
    assert textsig.tokens(text) == reference_tokens(text)


def test_a_multi_word_spelling_becomes_two_tokens() -> None:
    assert textsig.tokens("TRMKSH sdh dibantu") == ["terima", "kasih", "sudah", "dibantu"]


@pytest.mark.parametrize(("a", "b"), [
    ("lubang2 di jalannya makin dalam", "lubang-lubang di jalan makin dalam"),
    ("anak2 sekolah jatuh krn jalannya licin", "anak-anak sekolah jatuh karena jalan licin"),
])
def test_reduplication_and_nya_are_written_alike(a: str, b: str) -> None:
    assert textsig.text_hash(a) == textsig.text_hash(b)


@pytest.mark.parametrize("word", ["hanya", "punya", "bertanya", "ditanya", "nya", "s2"])
def test_words_that_only_look_like_it_are_kept(word: str) -> None:
    assert textsig.tokens(word) == [word]
