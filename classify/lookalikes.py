"""Characters that look like ASCII letters, digits, spaces or dashes, read as what they look like.

Posts copied from Facebook come in "bold" or "italic" fonts (mathematical alphanumerics), phones
type full-width digits, and text pasted from documents brings no-break spaces, en dashes and
invisible zero-width characters. The normaliser folds them (NFKC); the scans that work on the
raw text (personal data, place names, the unclear rules) fold them here, one character for
one, so that their offsets still point into the post. An invisible character becomes a ".":
inside a number it is a separator ("1801\u200b0123..." is still sixteen digits).
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that show nothing: zero-width space, non-joiner and joiner, word joiner, BOM, soft hyphen.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _table() -> dict[int, int]:
    table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
    for cp in range(0x1D400, 0x1D800):  # mathematical alphanumerics
        plain = unicodedata.normalize("NFKC", chr(cp))
        if len(plain) == 1 and plain.isascii():
            table[cp] = ord(plain)
    table.update(dict.fromkeys(map(ord, "\u00a0\u1680\u202f\u205f\u3000"), ord(" ")))
    table.update(dict.fromkeys(range(0x2000, 0x200B), ord(" ")))
    table.update(dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63"), ord("-")))
    table.update(dict.fromkeys(map(ord, INVISIBLE), ord(".")))
    return table


_FOLD = _table()
def _character_class(codes: list[int], gap: int = 64) -> re.Pattern[str]:
    """A regex class covering ``codes`` in few ranges (ranges less than ``gap`` apart are joined): the
    search tries each range in turn, and the holes of the mathematical alphanumerics would make a
    hundred. A character in a joined hole only costs a translation that leaves it as it is."""
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and code - ranges[-1][1] <= gap:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return re.compile("[" + "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                                    for a, b in ranges) + "]")


#: Whether a text holds any look-alike: a search is far cheaper than a translation through a dict.
_FOLDABLE = _character_class(list(_FOLD))


def fold(text: str) -> str:
    """``text`` with look-alikes replaced, the same length; ``text`` itself when it holds none."""
    return text if text.isascii() or not _FOLDABLE.search(text) else text.translate(_FOLD)
