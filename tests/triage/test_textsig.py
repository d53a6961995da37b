"""The duplicate tokeniser: its shortcuts must give what the plain pass-by-pass definition gives."""

from __future__ import annotations

import re
import unicodedata

import pytest

from triage import textsig


def reference_tokens(text: str) -> list[str]:
    """Every pass, always, one word at a time: what `tokens` means."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = re.sub(r"^rt @\w+:?\s*", "", folded)
    folded = re.sub(r"[@#]\w+", " ", re.sub(r"https?://\S+|www\.\S+", " ", folded))
    folded = re.sub(r"([a-z])\1{2,}", r"\1", folded)
    words: list[str] = []
    for word in re.findall(r"[a-z0-9]+", folded):
        words.extend(textsig._SPELLINGS.get(word, word).split())
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
])
def test_tokens_match_the_plain_definition(text: str) -> None:
    assert textsig.tokens(text) == reference_tokens(text)


def test_a_multi_word_spelling_becomes_two_tokens() -> None:
    assert textsig.tokens("TRMKSH sdh dibantu") == ["terima", "kasih", "sudah", "dibantu"]
