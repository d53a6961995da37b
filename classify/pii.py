"""Personal data in posts: NIK, KK, phone numbers, e-mail addresses and vehicle plates.

DESIGN.md: personal data is masked in the UI and exports for roles that do not need it.
:func:`find_pii` returns spans; :func:`mask_pii` hides them.

Decisions (issue 3, item 5):

- A 16-digit number (digits may be grouped by spaces, dots or dashes: ``1801 0123 4567 0001``)
  is a NIK when its first two digits are a province code and it is not a run like
  ``1111111111111111`` or ``1234567890123456``; any 16-digit number after a cue word
  ("NIK", "KTP", "KK", "kartu keluarga") counts regardless. It is a KK when the nearest cue
  before it is a KK cue. Numbers grouped in thousands or written after "Rp" are amounts, never ids.
- A number counts only as a whole: digits joined to more digits by up to three spaces, dots or
  dashes belong to one longer number, which is neither a NIK nor a phone number.
- Look-alike characters are read as what they look like (:mod:`classify.lookalikes`): full-width
  and "bold" digits, other spaces and dashes, an invisible character inside a number as a
  separator. None of them hides a number from the scan, nor lets the normaliser, which folds
  them too, reveal one in the normalised text.
- Phone numbers are Indonesian mobiles: ``08…``, ``+62 8…``, ``+62 08…``, ``62 8…``, 10-13 digits
  once written as ``08…``, separators allowed, also right after a word (``hp081234567890``,
  ``WA0812…``). Landlines are not matched (too like other numbers).
- Plates are an Indonesian region prefix (``BE``, ``B``, ``AD``...), 1-4 digits and 1-3 letters,
  in capitals as printed on the plate (``BE 1234 XY``); ``kb 2 anak`` is not a plate, nor are the
  programme acronyms that look like one (``P3K``, ``P3KE``, ``P4GN``, ``P2P``): masking them would
  hide what a complaint about PPPK teachers, P3KE data or P2P lending is about.
- Masking is partial by default so staff can still tell two numbers apart without reading them:
  ``1801********0001``, ``0812******90``, ``b***@gmail.com``, ``BE **** XY``. ``style="token"``
  replaces each span with ``[NIK]``, ``[KK]``, ``[TELEPON]``, ``[EMAIL]``, ``[PLAT]``, the tokens
  of the shared evaluation data. Either way masking is idempotent: a masked span is never found again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from lokal.provinces import PROVINCES

from classify.lookalikes import fold

KINDS = ("nik", "kk", "phone", "email", "plate")
TOKENS = {"nik": "[NIK]", "kk": "[KK]", "phone": "[TELEPON]", "email": "[EMAIL]", "plate": "[PLAT]"}


@dataclass(frozen=True)
class PiiSpan:
    """One piece of personal data: its kind (one of :data:`KINDS`) and where it is in the text."""

    kind: str
    start: int
    end: int
    text: str


_EMAIL = re.compile(r"(?<![\w.%+*-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.ASCII)
_SIXTEEN = re.compile(
    r"(?<![\d*])(?<![\d*][ .\-])(?<![\d*][ .\-]{2})(?<![\d*][ .\-]{3})"
    r"\d(?:[ .\-]{0,3}\d){15}(?![ .\-]{0,3}[\d*])",
    re.ASCII,
)
_PHONE = re.compile(
    r"(?<![\d+*_])(?<![\d*][ .\-])(?<![\d*][ .\-]{2})(?<![\d*][ .\-]{3})"
    r"(?:\+62[ .\-]{0,3}0?|62|0)[ .\-]{0,3}8\d(?:[ .\-]{0,3}\d){7,10}(?![ .\-]{0,3}[\d*])(?![A-Za-z])",
    re.ASCII,
)
_PLATE_PREFIX = (
    "A|B|D|E|F|G|H|K|L|M|N|P|R|S|T|W|Z|AA|AB|AD|AE|AG|BA|BB|BD|BE|BG|BH|BK|BL|BM|BN|BP|"
    "DA|DB|DC|DD|DE|DG|DH|DK|DL|DM|DN|DR|DS|DT|EA|EB|ED|KB|KH|KT|KU|PA|PB"
)
_PLATE_PREFIXES = frozenset(_PLATE_PREFIX.split("|"))
_PLATE = re.compile(r"\b(?P<prefix>[A-Z]{1,2}) ?[0-9]{1,4} ?(?P<suffix>[A-Z]{1,3})\b", re.ASCII)
#: Capital words that follow a number without being a plate's letters: "E 10 KM", "T 2 RT".
_NOT_PLATE_SUFFIX = frozenset({"KM", "KG", "RT", "RW", "WIB", "WIT", "JAM", "MIN", "HP", "CM", "MM", "ML", "PM", "AM"})
#: Acronyms of the plate's shape that public-service posts use; written without spaces, as they always are.
_NOT_PLATES = frozenset({"P3K", "P3KE", "P4GN", "P2P", "B2B", "G30S"})
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_ID_CUE = re.compile(r"\b(nik|e-?ktp|ktp|nkk|kk|kartu keluarga)\b", re.IGNORECASE)
_MAX_PASSES = 8
_TEN_DIGITS = re.compile(r"[0-9](?:[ .\-]{0,3}[0-9]){9}")
_SEPARATORS = re.compile(r"[ .\-]")
_DIGIT = re.compile(r"[0-9]")
#: A post's shape: digits become "0", capitals "A", "@" and NUL stay, the separators inside numbers
#: and plates (space, dot, dash) are deleted, anything else is "x". Ten digits in a row with single
#: separators (a NIK, KK or phone number needs them) leave ten "0"s; a plate's capital before its
#: digits leaves "A0"; a translation and substring tests cost far less than the regexes themselves.
_SHAPE = bytes(
    48 if 48 <= c <= 57 else 65 if 65 <= c <= 90 else c if c in (0, 64) else 120 for c in range(256)
)
_NUMBER_SEPARATORS = b" .-"
_DOMAIN_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_LOCAL_PART = _DOMAIN_START | frozenset("._%+")
_TEN_ZEROS = b"0" * 10


def find_pii(text: str) -> list[PiiSpan]:
    """Every piece of personal data in ``text``, in order, without overlaps.

    Where two kinds overlap the more specific wins: e-mail, then NIK/KK, phone, plate.
    """
    folded = fold(text)
    spans = _find(folded)
    if folded is text or not spans:
        return spans
    return [PiiSpan(span.kind, span.start, span.end, text[span.start : span.end]) for span in spans]


def _find(text: str) -> list[PiiSpan]:
    """:func:`find_pii` of a text already folded; the spans' text is the folded one."""
    if not _DIGIT.search(text):  # most posts: only an e-mail address is possible
        return list(_emails(text))
    # A NIK, KK or phone number has at least ten digits in a row: most posts skip those two scans.
    numbers = [*_id_numbers(text), *_phones(text)] if _TEN_DIGITS.search(text) else []
    taken: list[PiiSpan] = []
    for span in (*_emails(text), *numbers, *_plates(text)):
        if not any(span.start < t.end and t.start < span.end for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def find_pii_many(texts: Sequence[str]) -> list[list[PiiSpan]]:
    """:func:`find_pii` of every text. The batch is reduced to the shape of its characters in one
    translation (:data:`_SHAPE`), where a number or a plate leaves a trace a substring test finds;
    only the few posts with such a trace are scanned, and those with an "@" for e-mail addresses."""
    joined = "\x00".join(map(fold, texts))
    shapes = joined.encode("ascii", "replace").translate(_SHAPE, _NUMBER_SEPARATORS).split(b"\x00")
    if len(shapes) != len(texts):  # a post holds a NUL itself
        return [find_pii(text) for text in texts]
    return [find_pii(text) if _TEN_ZEROS in shape or b"A0" in shape else list(_emails(text)) if b"@" in shape else []
            for text, shape in zip(texts, shapes, strict=True)]


def mask_pii(
    text: str, kinds: Iterable[str] | None = None, *, style: Literal["partial", "token"] = "partial"
) -> str:
    """``text`` with personal data of ``kinds`` (default: all) hidden; see the module notes for the style.

    Masks until nothing of those kinds is left: hiding one number can expose another that only its
    digits kept from being seen ("1801...0001+62812..."), and a second call must change nothing.
    """
    wanted = set(KINDS if kinds is None else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown personal-data kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    for _ in range(_MAX_PASSES):
        masked = _mask_once(text, wanted, style)
        if masked is text:
            break
        text = masked
    return text


def _mask_once(text: str, wanted: set[str], style: str) -> str:
    """One pass; the partial mask is made of the folded span, so look-alike digits are hidden too."""
    out, last = [], 0
    for span in _find(fold(text)):
        if span.kind in wanted:
            out += [text[last : span.start], TOKENS[span.kind] if style == "token" else _partial(span)]
            last = span.end
    return "".join(out) + text[last:] if out else text


def _emails(text: str) -> Iterator[PiiSpan]:
    if _may_hold_email(text):
        for m in _EMAIL.finditer(text):
            yield PiiSpan("email", m.start(), m.end(), m.group())


def _may_hold_email(text: str) -> bool:
    """An "@" with an address character on each side; an @handle has none before it. The scan for
    addresses tries every position of the text, this only the "@"s."""
    at = text.find("@")
    while at != -1:
        if 0 < at < len(text) - 1 and text[at - 1] in _LOCAL_PART and text[at + 1] in _DOMAIN_START:
            return True
        at = text.find("@", at + 1)
    return False


def _id_numbers(text: str) -> Iterator[PiiSpan]:
    for m in _SIXTEEN.finditer(text):
        digits = _SEPARATORS.sub("", m.group())
        if _THOUSANDS.fullmatch(m.group()) or _after_rupiah(text, m.start()):
            continue
        cue = _last_cue(text[max(0, m.start() - 30) : m.start()])
        if cue or _plausible_nik(digits):
            yield PiiSpan("kk" if cue in ("kk", "nkk", "kartu keluarga") else "nik", m.start(), m.end(), m.group())


def _after_rupiah(text: str, start: int) -> bool:
    return text[max(0, start - 4) : start].lower().rstrip(" .").endswith("rp")


def _last_cue(before: str) -> str | None:
    cues = _ID_CUE.findall(before)
    return cues[-1].lower() if cues else None


def _plausible_nik(digits: str) -> bool:
    """A NIK starts with a province code; runs of one digit or counting sequences are placeholders."""
    if digits[:2] not in PROVINCES or len(set(digits)) == 1:
        return False
    return digits not in "12345678901234567890" and digits not in "98765432109876543210"


def _phones(text: str) -> Iterator[PiiSpan]:
    for m in _PHONE.finditer(text):
        digits = _SEPARATORS.sub("", m.group()).lstrip("+")
        local = digits[2:] if digits.startswith("620") else "0" + digits[2:] if digits.startswith("62") else digits
        if 10 <= len(local) <= 13:
            yield PiiSpan("phone", m.start(), m.end(), m.group())


def _plates(text: str) -> Iterator[PiiSpan]:
    for m in _PLATE.finditer(text):
        if (m.group("prefix") in _PLATE_PREFIXES and m.group("suffix") not in _NOT_PLATE_SUFFIX
                and m.group() not in _NOT_PLATES):
            yield PiiSpan("plate", m.start(), m.end(), m.group())


def _partial(span: PiiSpan) -> str:
    if span.kind == "email":
        local, _, domain = span.text.partition("@")
        return f"{local[0]}***@{domain}"
    if span.kind == "plate":
        return _DIGIT.sub("*", span.text)
    if span.kind == "phone":  # keep the operator prefix (0812, +62 812) and the last two digits
        return _mask_digits(span.text, 4 if span.text.startswith("0") else 5, 2)
    return _mask_digits(span.text, 4, 4)


def _mask_digits(value: str, keep_head: int, keep_tail: int) -> str:
    """Digits outside the first ``keep_head`` and last ``keep_tail`` become ``*``; separators stay."""
    total = len(_DIGIT.findall(value))
    out, seen = [], 0
    for char in value:
        if "0" <= char <= "9":
            char = char if seen < keep_head or seen >= total - keep_tail else "*"
            seen += 1
        out.append(char)
    return "".join(out)
