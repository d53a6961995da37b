"""The category taxonomy (data/taxonomy.toml): configuration, not code."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Category:
    slug: str
    label_id: str
    label_en: str
    description: str
    default_opd: str


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[Category, ...]
    digest: str

    def slugs(self) -> list[str]:
        return [c.slug for c in self.categories]

    def get(self, slug: str) -> Category:
        for category in self.categories:
            if category.slug == slug:
                return category
        raise KeyError(f"category '{slug}' is not in taxonomy {self.version}")


def load_taxonomy(path: Path) -> Taxonomy:
    raw = path.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    categories = tuple(Category(**{k: item[k] for k in Category.__dataclass_fields__}) for item in data["category"])
    return Taxonomy(str(data.get("version", "")), categories, hashlib.sha256(raw).hexdigest())
