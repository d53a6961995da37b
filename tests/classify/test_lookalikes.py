"""Look-alike characters folded one for one, so scans of the raw post keep their offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from classify.clarity_rules import words_of
from classify.location import LocationTagger
from classify.lookalikes import fold


def test_fonts_full_width_spaces_dashes_and_invisibles_read_as_ascii() -> None:
    assert fold("𝐉𝐚𝐥𝐚𝐧 𝑟𝑢𝑠𝑎𝑘") == "Jalan rusak"
    assert fold("ＮＩＫ １８０１") == "NIK 1801"
    assert fold("RT\u00a005\u2013RW\u202f02") == "RT 05-RW 02"
    assert fold("0812\u200b3456") == "0812.3456"


def test_plain_text_is_returned_as_it_is() -> None:
    text = "jalan rusak di Natar 🙏"
    assert fold(text) is text


@given(st.text())
def test_folding_keeps_every_offset(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_a_post_in_a_bold_font_still_names_its_place_and_its_words() -> None:
    post = "𝐉𝐚𝐥𝐚𝐧 𝐝𝐢 𝐊𝐚𝐥𝐢𝐚𝐧𝐝𝐚 𝐫𝐮𝐬𝐚𝐤 𝐩𝐚𝐫𝐚𝐡"
    match = LocationTagger().fit().tag(post)
    assert match.kecamatan is not None and match.kecamatan.name == "Kalianda" and match.matched == "𝐊𝐚𝐥𝐢𝐚𝐧𝐝𝐚"
    assert words_of(post).words == ("jalan", "di", "kalianda", "rusak", "parah")
