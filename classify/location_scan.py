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
from classify.lookalikes import fold

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
PERSON_BEFORE = frozenset({"pak", "bu", "bapak", "ibu", "mas", "mbak", "bang", "kak", "om", "sdr", "saudara", "haji",
                           "soekarno", "sukarno", "bung"})  # "Jl. Soekarno Hatta" is a road named after a person
LEVEL_BASE = {1: 0.35, 2: 0.5, 3: 0.6, 4: 0.55}
_HANDLE_MARK = re.compile("@|://")
_NON_SPACE = re.compile(r"\S*")
_NOT_WORD = re.compile(r"[\W_]+")


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
    capital: bool
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
    """Same length as ``text``: lowercase ASCII letters and digits (look-alikes read as them, see
    :mod:`classify.lookalikes`), spaces for everything else."""
    return _ascii_lowercase(fold(text))


def _ascii_lowercase(text: str) -> str:
    return text.encode("ascii", "replace").translate(_NORMALISE).decode("ascii")


def raw_hits(automaton: ahocorasick.Automaton, padded: str) -> list[tuple[int, int, tuple[Entry, ...]]]:
    """Mentions as (start, end, entries) in original-text offsets, longest mentions only, in order."""
    # A key spans padded[end - length + 1 : end + 1] with a space at each end; padded is text shifted by one.
    found = [(end - length + 1, end - 1, entries) for end, (length, entries) in automaton.iter(padded)]
    return _longest(found) if len(found) > 1 else found


def raw_hits_many(automaton: ahocorasick.Automaton, texts: Sequence[str]) -> list[tuple[str, list] | None]:
    """Per text: (its padded normalised form, :func:`raw_hits` of it), None where nothing matched.

    One pass of the automaton over the whole batch, each text padded as :func:`raw_hits` wants it.
    Texts are joined by two spaces: keys hold no two spaces in a row (see :func:`joinable`), so no
    key spans two texts, and the longest key prefix the automaton follows never reaches back into
    the text before, so each text's mentions come out as from a scan of that text alone, in order.
    The automaton reports keys by where they end, so the texts they lie in come in order too.
    """
    # Folded post by post: a look-alike in one post (a zero-width joiner in an emoji) must not cost
    # a translation of the whole batch.
    padded = f" {_ascii_lowercase('  '.join(map(fold, texts)))} "
    starts = list(accumulate((len(text) + 2 for text in texts), initial=0))
    out: list[tuple[str, list] | None] = [None] * len(texts)
    i, offset, limit, hits = -1, 0, 0, []
    for end, (length, entries) in automaton.iter(padded):
        if end >= limit:  # the first key of a later text
            if hits:
                out[i] = padded[offset:limit], _longest(hits) if len(hits) > 1 else hits
            i = bisect_right(starts, end) - 1
            offset, limit, hits = starts[i], starts[i + 1], []
        hits.append((end - length + 1 - offset, end - offset - 1, entries))
    if hits:
        out[i] = padded[offset:limit], _longest(hits) if len(hits) > 1 else hits
    return out


def joinable(keys: Iterable[str]) -> bool:
    """Whether :func:`raw_hits_many` may scan texts joined (no key holds two spaces in a row)."""
    return not any("  " in key for key in keys)


def _longest(found: list[tuple[int, int, tuple[Entry, ...]]]) -> list[tuple[int, int, tuple[Entry, ...]]]:
    """Drops mentions inside longer ones: "Lampung" inside "Bandar Lampung".

    The mentions left overlap without nesting, so their order by end, the automaton's, is also
    their order by start."""
    if len(found) == 2:
        (a_start, a_end, _), (b_start, b_end, _) = found
        if b_start <= a_start and a_end <= b_end:
            return found[1:]
        return found[:1] if a_start <= b_start and b_end <= a_end else found
    return [f for f in found if not any(o is not f and o[0] <= f[0] and f[1] <= o[1] for o in found)]


#: One mention that counts: (start, end, places, cue level, capitalised); see :func:`mentions`.
Mention = tuple[int, int, tuple[Entry, ...], int | None, bool]


def mentions(text: str, padded: str, found: Iterable[tuple[int, int, tuple[Entry, ...]]]) -> list[Mention]:
    """The raw hits that count as mentions, each with the evidence around it.

    A name right after an honorific is a person's and one inside an @handle, e-mail address or link
    an account's: neither counts. The cue is the level the word before names in the same sentence
    (0 when the name opens the post, None without a cue word); a capital is evidence only inside a
    sentence of text that is not written all in capitals. One loop over the hits, as this is the
    inner loop of the tagger's location stage.
    """
    first = len(padded) - len(padded.lstrip(" "))  # where the first word starts, in padded offsets
    marked = "@" in text or "://" in text
    handles: tuple[tuple[int, int], ...] = ()
    shouting: bool | None = None
    out = []
    for start, end, entries in found:
        stop = start + 1  # in padded offsets, the space before the mention
        while stop and padded[stop - 1] == " ":
            stop -= 1
        word = padded[padded.rfind(" ", 0, stop) + 1 : stop]
        if word:
            between = text[stop - 1 : start]
            if between != " " and _SENTENCE_END_CHAR.search(between) and not (
                word in CUE_LEVEL and between.strip() == "."
            ):
                word = ""  # "banjir parah. Natar juga" is two sentences; "kec. Palas" is one
            elif word in PERSON_BEFORE:
                continue
        if marked:
            handles = handles or _handle_chunks(text)
            if any(a <= start < b for a, b in handles):
                continue
        opens = first > start  # SMS style names the place first: "ketapang, jalan pantai gelap"
        cue = CUE_LEVEL.get(word)
        if cue is None and opens and not word:
            cue = 0
        capital = False
        if not opens and text[start].isupper():
            before = start - 1
            while before >= 0 and text[before].isspace():
                before -= 1
            if before >= 0 and text[before] not in ".!?":
                if shouting is None:
                    shouting = text.isupper()
                capital = not shouting
        out.append((start, end, entries, cue, capital))
    return out


def admitted_hits(text: str, padded: str, found: Iterable[tuple[int, int, tuple[Entry, ...]]], inside: str,
                  lenient: bool = False) -> list[Hit]:
    """The mentions as hits, everyday words among their places kept only with enough evidence
    (all kept when ``lenient``, for a geo hint that is a place name by definition)."""
    return [_admit(start, end, entries, cue, capital, inside, lenient)
            for start, end, entries, cue, capital in mentions(text, padded, found)]


def _admit(start: int, end: int, entries: tuple[Entry, ...], cue: int | None, capital: bool, inside: str,
           lenient: bool) -> Hit:
    context: tuple[Entry, ...] = ()
    if not lenient and any(e.common for e in entries):
        ok = [_common_ok(e, cue, capital, _is_in(e.code, inside)) for e in entries]
        context = tuple(e for e, keep in zip(entries, ok, strict=True) if not keep)
        entries = tuple(e for e, keep in zip(entries, ok, strict=True) if keep)
    return Hit(start, end, _prefer_cued_level(entries, cue), cue, capital, context)


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


def admit_by_hierarchy(hits: list[Hit], text: str) -> None:
    """An everyday word named with its own kecamatan is a place after all: "agom kalianda", "wawasan tj sari".

    A very everyday word must stand right beside its kecamatan ("sumur, ketapang"): in "ketapang kering,
    sumur warga asat" the wells are wells, whatever else the post names."""
    for hit in hits:
        if not hit.context:
            continue
        named = [(e.code, _beside(hit, other, text)) for other in hits if other is not hit
                 for e in other.entries if e.level >= 3]
        promoted = tuple(e for e in hit.context
                         if any(e.code.startswith(code + ".") and (beside or e.common < 2) for code, beside in named))
        if promoted:
            hit.entries += promoted
            hit.context = tuple(e for e in hit.context if e not in promoted)


def _beside(hit: Hit, other: Hit, text: str) -> bool:
    """Nothing but spaces, punctuation or a "kec."-like word between the two mentions."""
    between = text[hit.end:other.start] if hit.end <= other.start else text[other.end:hit.start]
    return _NOT_WORD.sub(" ", between).split() in ([], ["kec"], ["kecamatan"])


def score_candidates(hits: list[Hit], inside: str) -> list[Candidate]:
    """Every (mention, place) pair with its score: level, cue, capital, scope and hierarchy evidence."""
    out = []
    alone = len(hits) == 1
    for hit in hits:
        for entry in hit.entries:
            score = LEVEL_BASE[entry.level] + _cue_bonus(hit.cue, entry.level) + 0.05 * hit.capital
            score += 0.15 * entry.landmark + 0.2 * _is_in(entry.code, inside)
            out.append(Candidate(hit, entry, score if alone else score + _support(entry, hit, hits, inside)))
    return out


def _cue_bonus(cue: int | None, level: int) -> float:
    if cue is None or cue < 0:
        return 0.0
    return 0.25 if cue == level else 0.1


def _support(entry: Entry, hit: Hit, hits: list[Hit], inside: str) -> float:
    """Another mention of a containing or contained region ("Karang Sari, Jati Agung") backs this one.

    The kabupaten's own province backs little (every place of the office is in it); another
    province backs its places as much as a kabupaten does: "Klaten, Jawa Tengah" is not the desa
    Klaten of Penengahan."""
    best = 0.0
    home = inside.split(".")[0]
    for other in hits:
        if other is hit:
            continue
        for e in (*other.entries, *other.context):
            if e.code != entry.code and related(e.code, entry.code):
                weak = min(e.level, entry.level) == 1 and entry.code.split(".")[0] == home
                best = max(best, 0.1 if weak else 0.3)
    return best
