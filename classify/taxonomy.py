"""The category taxonomy (``data/taxonomy.toml``): configuration, not code.

Each category has a stable ``slug`` (stored on reports and labels), Indonesian and English
labels, a description and the OPD that receives it by default. A model card records the
taxonomy's hash so a model trained on another taxonomy is recognised as such.

The file also declares, as data, what each version changed (``[[change]]``): a category is
*narrowed* when a version gives some of its posts to other categories (2026.2 moved elpiji, pupuk,
PDAM, PLN and wage complaints out of ``sosial``, ``infrastruktur`` and ``perhubungan``). A staff
label of a narrowed category written under an older version may name the wrong category now, so
training skips it (:meth:`Taxonomy.narrowed_since`). Versions are dotted numbers compared as
numbers ("2026.10" comes after "2026.9").
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from classify.errors import TaxonomyInvalid

_SLUG = re.compile(r"[a-z][a-z0-9_]*")
_FIELDS = ("slug", "label_id", "label_en", "description", "default_opd")
_VERSION = re.compile(r"\d+(\.\d+)*")
#: Every label stores the version it was written under (``labels.taxonomy_version``, 20 characters).
VERSION_MAX_LENGTH = 20
_CHANGE_FIELDS = ("version", "narrowed")


@dataclass(frozen=True)
class Category:
    """One complaint category."""

    slug: str
    label_id: str
    label_en: str
    description: str
    default_opd: str


@dataclass(frozen=True)
class TaxonomyChange:
    """What one taxonomy version changed: the categories it ``narrowed`` (gave some of their posts to others)."""

    version: str
    narrowed: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """The categories in file order, the file's ``version``, its SHA-256 (``digest``) and the declared changes."""

    version: str
    categories: tuple[Category, ...]
    digest: str = field(default="", compare=False)
    changes: tuple[TaxonomyChange, ...] = ()

    def slugs(self) -> list[str]:
        return [c.slug for c in self.categories]

    def get(self, slug: str) -> Category:
        for category in self.categories:
            if category.slug == slug:
                return category
        raise KeyError(f"category {slug!r} is not in taxonomy {self.version}")

    def narrowed_since(self, slug: str, version: str | None) -> str | None:
        """The newest version that narrowed ``slug`` after ``version`` (the one a label was written under), or None.

        A label without a version (written before labels recorded it), or with one that is not a
        version number, counts as older than every change.
        """
        written = version_key(version)
        newer = [change.version for change in self.changes
                 if slug in change.narrowed and (written is None or version_key(change.version) > written)]
        return max(newer, key=version_key, default=None)


def version_key(version: str | None) -> tuple[int, ...] | None:
    """A taxonomy version as numbers to compare ("2026.10" > "2026.9"); None when it is not one."""
    if version is None or not _VERSION.fullmatch(version):
        return None
    return tuple(int(part) for part in version.split("."))


def load_taxonomy(path: Path) -> Taxonomy:
    """Reads and validates the taxonomy file; a broken file is a :class:`TaxonomyInvalid`."""
    try:
        raw = Path(path).read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TaxonomyInvalid(f"Taksonomi {path} tidak terbaca / cannot be read: {exc}") from exc
    categories = tuple(_category(item, i) for i, item in enumerate(data.get("category") or []))
    slugs = [c.slug for c in categories]
    if not categories or len(set(slugs)) != len(slugs):
        raise TaxonomyInvalid(
            f"Taksonomi {path} harus berisi kategori dengan slug unik / needs categories with unique slugs"
        )
    version = _version(data.get("version"), path)
    changes = _changes(data.get("change", []), version, set(slugs), path)
    return Taxonomy(version, categories, hashlib.sha256(raw).hexdigest(), changes)


def _version(value: object, path: Path) -> str:
    """The file's own version: labels record it, and changes are compared with it."""
    if not isinstance(value, str) or version_key(value) is None:
        raise TaxonomyInvalid(f"Taksonomi {path}: {_not_a_version(value)}")
    if len(value) > VERSION_MAX_LENGTH:
        raise TaxonomyInvalid(f"Taksonomi {path}: version {value!r} lebih dari {VERSION_MAX_LENGTH} karakter / "
                              f"is longer than {VERSION_MAX_LENGTH} characters")
    return value


def _not_a_version(value: object) -> str:
    if value is None:
        return 'version tidak ada / is missing: tulis / write e.g. version = "2026.2"'
    return f'version {value!r} bukan angka bertitik seperti "2026.2" / is not a dotted number such as "2026.2"'


def _changes(items: object, version: str, slugs: set[str], path: Path) -> tuple[TaxonomyChange, ...]:
    if not isinstance(items, list):
        raise TaxonomyInvalid(f"Taksonomi {path}: tulis perubahan sebagai [[change]] / write changes as [[change]]")
    changes = tuple(_change(item, i, version, slugs, path) for i, item in enumerate(items))
    seen = [version_key(change.version) for change in changes]  # "2026.2" and "2026.02" are one version
    twice = [change.version for i, change in enumerate(changes) if version_key(change.version) in seen[:i]]
    if twice:
        raise TaxonomyInvalid(f"Taksonomi {path}: perubahan versi {', '.join(twice)} ditulis dua kali / "
                              f"change {', '.join(twice)} is declared twice")
    return changes


def _change(item: object, index: int, version: str, slugs: set[str], path: Path) -> TaxonomyChange:
    where = f"Taksonomi {path}: [[change]] ke-{index + 1} / change {index + 1}"
    if not isinstance(item, dict) or set(item) - set(_CHANGE_FIELDS):
        unknown = ", ".join(sorted(set(item) - set(_CHANGE_FIELDS))) if isinstance(item, dict) else repr(item)
        raise TaxonomyInvalid(f"{where}: isian tidak dikenal / unknown keys: {unknown} "
                              f"(yang boleh / allowed: {', '.join(_CHANGE_FIELDS)})")
    changed = item.get("version")
    if not isinstance(changed, str) or version_key(changed) is None:
        raise TaxonomyInvalid(f"{where}: {_not_a_version(changed)}")
    if version_key(changed) > version_key(version):
        raise TaxonomyInvalid(f"{where}: versi {changed} lebih baru dari versi taksonomi ini ({version}) / "
                              f"version {changed} is newer than this taxonomy's own version {version}")
    narrowed = item.get("narrowed")
    if not isinstance(narrowed, list) or not narrowed or not all(isinstance(slug, str) for slug in narrowed):
        raise TaxonomyInvalid(f"{where}: narrowed harus daftar slug kategori / narrowed must be a list of "
                              "category slugs, e.g. narrowed = [\"sosial\"]")
    unknown = [slug for slug in narrowed if slug not in slugs]
    if unknown:
        raise TaxonomyInvalid(f"{where}: kategori {', '.join(unknown)} tidak ada di taksonomi / "
                              f"categories not in the taxonomy: {', '.join(unknown)}")
    return TaxonomyChange(changed, tuple(narrowed))


def _category(item: object, index: int) -> Category:
    missing = [name for name in _FIELDS if not isinstance(item, dict) or not str(item.get(name, "")).strip()]
    if missing:
        raise TaxonomyInvalid(f"Kategori ke-{index + 1} tidak lengkap / category {index + 1} lacks: "
                              f"{', '.join(missing)}")
    slug = str(item["slug"])
    if not _SLUG.fullmatch(slug):
        raise TaxonomyInvalid(f"Slug {slug!r} tidak sah / invalid slug: use lowercase letters, digits and _")
    return Category(*(str(item[name]) for name in _FIELDS))
