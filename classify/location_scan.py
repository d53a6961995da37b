"""Finding and scoring place-name mentions in one post (the inner loop of the location tagger).

The text is normalised without changing its length: every character becomes one ASCII byte,
letters lowercased, anything but a letter or digit a space. One Aho-Corasick pass over it,
padded with a space at each end, finds every gazetteer key (" jati mulyo ", " jatimulyo "):
because keys carry their spaces, a key only matches whole words ("canti" is not found in
"cantik") and a match's position is its position in the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

import ahocorasick

from classify.gazetteer import Entry

#: byte -> byte: A-Z to a-z, letters and digits kept, everything else a space ("?" stands for non-ASCII).
_NORMALISE = bytes(
    c + 32 if 65 <= c <= 90 else c if (48 <= c <= 57 or 97 <= c <= 122) else 32 for c in range(256)
)

#: Words that announce a place, with the level they announce (0: any level; -1: a direction, weaker).
CUE_LEVEL: dict[str, int] = {
    "desa": 4, "ds": 4, "dsa": 4, "kel": 4, "kelurahan": 4, "kec": 3, "kecamatan": 3, "kab": 2, "kabupaten": 2,
    "kota": 2, "di": 0, "dekat": 0, "depan": 0, "dusun": 0, "dsn": 0, "daerah": 0, "wilayah": 0, "sekitar": 0,
    "warga": 0, "kawasan": 0, "belakang": 0, "samping": 0, "seberang": 0, "kampung": 0, "pasar": 0, "jalan": 0,
    "jl": 0, "jln": 0, "arah": -1, "menuju": -1, "ke": -1, "dari": -1, "dr": -1,
}
#: Punctuation that ends a sentence: a cue word before it does not reach the name after it.
_SENTENCE_END = frozenset(".!?;\n")
_SENTENCE_END_CHAR = re.compile("[" + re.escape("".join(sorted(_SENTENCE_END))) + "]")
#: A name right after an honorific is a person ("Pak Hatta"), not a place.
PERSON_BEFORE = frozenset({"pak", "bu", "bapak", "ibu", "mas", "mbak", "bang", "kak", "om", "sdr", "saudara", "haji"})
LEVEL_BASE = {1: 0.35, 2: 0.5, 3: 0.6, 4: 0.55}
_HANDLE_MARK = re.compile("@|://")
_NON_SPACE = re.compile(r"\S*")


@dataclass(slots=True)
class Hit:
    """One mention: ``text[start:end]`` names one of ``entries``.

    ``context`` holds places the words could name but too weakly to be the answer (an everyday word
    without cue or capital, "ketapang"): they only back a related mention ("karang sari ketapang").
    """

    start: int
    end: int
    entries: tuple[Entry, ...]
    cue: int | None
    context: tuple[Entry, ...] = ()


@dataclass(slots=True)
class Candidate:
    hit: Hit
    entry: Entry
    score: float


def build_automaton(keys: dict[str, tuple[Entry, ...]]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key, entries in keys.items():
        automaton.add_word(key, (len(key), entries))
    automaton.make_automaton()
    return automaton


def normalise(text: str) -> str:
    """Same length as ``text``: lowercase ASCII letters and digits, spaces for everything else."""
    return text.encode("ascii", "replace").translate(_NORMALISE).decode("ascii")


def raw_hits(automaton: ahocorasick.Automaton, padded: str) -> list[tuple[int, int, tuple[Entry, ...]]]:
    """Mentions as (start, end, entries) in original-text offsets, longest mentions only."""
    # A key spans padded[end - length + 1 : end + 1] with a space at each end; padded is text shifted by one.
    found = [(end - length + 1, end - 1, entries) for end, (length, entries) in automaton.iter(padded)]
    return _longest(found) if len(found) > 1 else found


def raw_hits_many(automaton: ahocorasick.Automaton, texts: Sequence[str]) -> list[tuple[str, list] | None]:
    """Per text: (its padded normalised form, :func:`raw_hits` of it), None where nothing matched.

    One pass of the automaton over the whole batch, each text padded as :class:`Scanner` pads it.
    Texts are joined by two spaces: keys hold no two spaces in a row (see :func:`joinable`), so no
    key spans two texts, and the longest key prefix the automaton follows never reaches back into
    the text before, so each text's mentions come out as from a scan of that text alone, in order.
    """
    padded = f" {normalise('  '.join(texts))} "
    starts = list(accumulate((len(text) + 2 for text in texts[:-1]), initial=0))
    found: dict[int, list[tuple[int, int, tuple[Entry, ...]]]] = {}
    for end, (length, entries) in automaton.iter(padded):
        first = end - length + 1
        i = bisect_right(starts, first) - 1
        found.setdefault(i, []).append((first - starts[i], end - starts[i] - 1, entries))
    out: list[tuple[str, list] | None] = [None] * len(texts)
    for i, hits in found.items():
        start = starts[i]
        out[i] = padded[start : start + len(texts[i]) + 2], _longest(hits) if len(hits) > 1 else hits
    return out


def joinable(keys: Iterable[str]) -> bool:
    """Whether :func:`raw_hits_many` may scan texts joined (no key holds two spaces in a row)."""
    return not any("  " in key for key in keys)


def _longest(found: list[tuple[int, int, tuple[Entry, ...]]]) -> list[tuple[int, int, tuple[Entry, ...]]]:
    """Drops mentions inside longer ones: "Lampung" inside "Bandar Lampung"."""
    return [f for f in found if not any(o is not f and o[0] <= f[0] and f[1] <= o[1] for o in found)]


class Scanner:
    """Per-post state: the text, its normalised form and whether it is written all in capitals."""

    def __init__(self, text: str, lenient: bool = False, padded: str | None = None) -> None:
        self.text = text
        self.padded = f" {normalise(text)} " if padded is None else padded
        self.lenient = lenient
        self._shouting: bool | None = None
        self._handles: tuple[tuple[int, int], ...] | None = None
        self._first: int | None = None

    def word_before(self, start: int) -> str:
        """The word before offset ``start`` in the same sentence, lowercased ("" if none)."""
        padded = self.padded
        end = start + 1  # in padded offsets, the space before the mention
        while end > 0 and padded[end - 1] == " ":
            end -= 1
        word = padded[padded.rfind(" ", 0, end) + 1 : end]
        between = self.text[max(0, end - 1) : start]
        if between != " " and _SENTENCE_END_CHAR.search(between) and not (word in CUE_LEVEL and between.strip() == "."):
            return ""  # "... jalan. Bangunan liar" is two sentences; "kec. Palas" is one
        return word

    def capitalised(self, start: int) -> bool:
        """A capital is evidence only inside a sentence of text that is not written all in capitals."""
        text = self.text
        if not text[start].isupper() or self._opens_the_post(start):
            return False
        before = start - 1
        while before >= 0 and text[before].isspace():
            before -= 1
        if before < 0 or text[before] in ".!?":
            return False
        if self._shouting is None:
            self._shouting = text.isupper()
        return not self._shouting

    def hits(self, automaton: ahocorasick.Automaton, inside: str,
             found: list[tuple[int, int, tuple[Entry, ...]]] | None = None) -> list[Hit]:
        """The admitted mentions; ``found`` is :func:`raw_hits` when the caller already scanned (a batch)."""
        out = []
        for start, end, entries in raw_hits(automaton, self.padded) if found is None else found:
            counts, cue = self.mention_at(start)
            if counts:
                out.append(self._admit(start, end, entries, cue, inside))
        return out

    def mention_at(self, start: int) -> tuple[bool, int | None]:
        """Whether a place name starting here counts (not part of a person's name or an @handle), and
        the level its cue word names (0 when the name opens the post, None without a cue)."""
        before = self.word_before(start)
        if before in PERSON_BEFORE or self._in_handle(start):
            return False, None
        cue = CUE_LEVEL.get(before)
        if cue is None and not before and self._opens_the_post(start):  # a word before: not the opening
            cue = 0
        return True, cue

    def _in_handle(self, start: int) -> bool:
        """Inside an @mention, an e-mail address or a link: an account's name, not a place."""
        if self._handles is None:
            self._handles = _handle_chunks(self.text)
        return any(first <= start < last for first, last in self._handles)

    def _opens_the_post(self, start: int) -> bool:
        """SMS style names the place first: "ketapang, jalan pantai gelap", "palas pasar malamnya ..."."""
        if self._first is None:  # where the first word starts, in padded offsets
            self._first = len(self.padded) - len(self.padded.lstrip(" "))
        return self._first > start

    def _admit(self, start: int, end: int, entries: tuple[Entry, ...], cue: int | None, inside: str) -> Hit:
        context: tuple[Entry, ...] = ()
        if not self.lenient and any(e.common for e in entries):
            capital = self.capitalised(start)
            ok = [_common_ok(e, cue, capital, _is_in(e.code, inside)) for e in entries]
            context = tuple(e for e, keep in zip(entries, ok, strict=True) if not keep)
            entries = tuple(e for e, keep in zip(entries, ok, strict=True) if keep)
        return Hit(start, end, _prefer_cued_level(entries, cue), cue, context)


def _handle_chunks(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of each whitespace-separated chunk of ``text`` holding an "@" or a "://"."""
    if "@" not in text and "://" not in text:
        return ()
    out = []
    for mark in _HANDLE_MARK.finditer(text):
        first = mark.start()
        while first > 0 and not text[first - 1].isspace():
            first -= 1
        out.append((first, _NON_SPACE.match(text, mark.start()).end()))
    return tuple(out)


def _common_ok(entry: Entry, cue: int | None, capital: bool, inside: bool) -> bool:
    """Everyday words count as places with a cue or a capital; very everyday words and places outside
    the kabupaten need a "desa"/"kec."-like cue, or a capital and a cue."""
    if cue == entry.level:
        return True
    if inside and entry.common == 1:
        return cue is not None or capital
    if inside:
        return capital or (cue is not None and cue > 0)
    return cue is not None and capital


def _prefer_cued_level(entries: tuple[Entry, ...], cue: int | None) -> tuple[Entry, ...]:
    """"desa Natar" means the desa, "kec. Natar" the kecamatan; a bare "Natar" the kecamatan, not its namesake desa."""
    if cue is not None and cue > 0:
        same = tuple(e for e in entries if e.level == cue)
        if same:
            return same
    if cue != 4 and len(entries) > 1:
        kecamatan = {e.code for e in entries if e.level == 3}
        return tuple(e for e in entries if not (e.level == 4 and e.code.rsplit(".", 1)[0] in kecamatan))
    return entries


def _is_in(code: str, region: str) -> bool:
    return code == region or code.startswith(region + ".")


def related(a: str, b: str) -> bool:
    """True when one code is the other or contains it (18.01 and 18.01.04.2001)."""
    return _is_in(a, b) or _is_in(b, a)


def admit_by_hierarchy(hits: list[Hit]) -> None:
    """An everyday word named with its own kecamatan is a place after all: "agom kalianda", "wawasan tj sari"."""
    for hit in hits:
        if not hit.context:
            continue
        named = [e.code for other in hits if other is not hit for e in other.entries if e.level >= 3]
        promoted = tuple(e for e in hit.context if any(e.code.startswith(code + ".") for code in named))
        if promoted:
            hit.entries += promoted
            hit.context = tuple(e for e in hit.context if e not in promoted)


def score_candidates(scanner: Scanner, hits: list[Hit], inside: str) -> list[Candidate]:
    """Every (mention, place) pair with its score: level, cue, capital, scope and hierarchy evidence."""
    out = []
    alone = len(hits) == 1
    for hit in hits:
        capital = scanner.capitalised(hit.start)
        for entry in hit.entries:
            score = LEVEL_BASE[entry.level] + _cue_bonus(hit.cue, entry.level) + 0.05 * capital
            score += 0.15 * entry.landmark + 0.2 * _is_in(entry.code, inside)
            out.append(Candidate(hit, entry, score if alone else score + _support(entry, hit, hits)))
    return out


def _cue_bonus(cue: int | None, level: int) -> float:
    if cue is None or cue < 0:
        return 0.0
    return 0.25 if cue == level else 0.1


def _support(entry: Entry, hit: Hit, hits: list[Hit]) -> float:
    """Another mention of a containing or contained region ("Karang Sari, Jati Agung") backs this one."""
    best = 0.0
    for other in hits:
        if other is hit:
            continue
        for e in (*other.entries, *other.context):
            if e.code != entry.code and related(e.code, entry.code):
                best = max(best, 0.1 if min(e.level, entry.level) == 1 else 0.3)
    return best
