"""The taxonomy file: the shipped one loads, broken ones are refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify.errors import TaxonomyInvalid
from classify.taxonomy import Taxonomy, load_taxonomy

CATEGORY = 'slug = "{slug}"\nlabel_id = "L"\nlabel_en = "E"\ndescription = "D"\ndefault_opd = "x"\n'


def test_shipped_taxonomy(taxonomy: Taxonomy) -> None:
    assert taxonomy.slugs() == ["adminduk", "infrastruktur", "kesehatan", "pendidikan", "sosial", "lingkungan",
                                "perhubungan", "ketertiban", "pemerintahan_desa", "perdagangan", "pertanian",
                                "air_bersih", "listrik", "ketenagakerjaan"]
    assert taxonomy.get("adminduk").default_opd == "disdukcapil"
    assert taxonomy.get("pertanian").default_opd == "distan" and taxonomy.get("listrik").default_opd == "pln"
    assert len(taxonomy.digest) == 64
    with pytest.raises(KeyError):
        taxonomy.get("olahraga")


@pytest.mark.parametrize(
    "body",
    [
        'version = "1"\n',  # no categories
        'version = "1"\n[[category]]\n' + CATEGORY.format(slug="a") + '[[category]]\n' + CATEGORY.format(slug="a"),
        'version = "1"\n[[category]]\nslug = "a"\n',  # fields missing
        'version = "1"\n[[category]]\n' + CATEGORY.format(slug="Bad Slug"),
        "not toml [",
    ],
)
def test_broken_taxonomies_are_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TaxonomyInvalid):
        load_taxonomy(path)
