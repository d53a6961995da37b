"""The category taxonomy (``data/taxonomy.toml``): configuration, not code.

Each category has a stable ``slug`` (stored on reports and labels), Indonesian and English
labels, a description and the OPD that receives it by default. A model card records the
taxonomy's hash so a model trained on another taxonomy is recognised as such.
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


@dataclass(frozen=True)
class Category:
    """One complaint category."""

    slug: str
    label_id: str
    label_en: str
    description: str
    default_opd: str


@dataclass(frozen=True)
class Taxonomy:
    """The categories in file order, the file's ``version`` and its SHA-256 (``digest``)."""

    version: str
    categories: tuple[Category, ...]
    digest: str = field(default="", compare=False)

    def slugs(self) -> list[str]:
        return [c.slug for c in self.categories]

    def get(self, slug: str) -> Category:
        for category in self.categories:
            if category.slug == slug:
                return category
        raise KeyError(f"category {slug!r} is not in taxonomy {self.version}")


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
    return Taxonomy(str(data.get("version", "")), categories, hashlib.sha256(raw).hexdigest())


def _category(item: object, index: int) -> Category:
    missing = [name for name in _FIELDS if not isinstance(item, dict) or not str(item.get(name, "")).strip()]
    if missing:
        raise TaxonomyInvalid(f"Kategori ke-{index + 1} tidak lengkap / category {index + 1} lacks: "
                              f"{', '.join(missing)}")
    slug = str(item["slug"])
    if not _SLUG.fullmatch(slug):
        raise TaxonomyInvalid(f"Slug {slug!r} tidak sah / invalid slug: use lowercase letters, digits and _")
    return Category(*(str(item[name]) for name in _FIELDS))
