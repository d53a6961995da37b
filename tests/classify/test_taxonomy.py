"""The taxonomy file: the shipped one loads, broken ones are refused with a clear error, and the changes it
declares say which labels a newer version made doubtful."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classify.errors import TaxonomyInvalid
from classify.taxonomy import Taxonomy, TaxonomyChange, load_taxonomy, version_key

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


def _taxonomy_file(tmp_path: Path, version: str, changes: str, slugs: tuple[str, ...] = ("sosial", "perdagangan"),
                   ) -> Path:
    """A two-category taxonomy (``version``) followed by ``changes``, the TOML of its [[change]] tables."""
    body = f'version = "{version}"\n' + "".join("[[category]]\n" + CATEGORY.format(slug=s) for s in slugs)
    path = tmp_path / "taxonomy.toml"
    path.write_text(body + changes, encoding="utf-8")
    return path


def test_the_shipped_taxonomy_declares_what_2026_2_narrowed(taxonomy: Taxonomy) -> None:
    assert taxonomy.version == "2026.2"
    assert taxonomy.changes == (TaxonomyChange("2026.2", ("sosial", "infrastruktur", "perhubungan")),)


def test_changes_are_read_in_file_order(tmp_path: Path) -> None:
    changes = ('[[change]]\nversion = "2026.9"\nnarrowed = ["sosial"]\n'
               '[[change]]\nversion = "2026.10"\nnarrowed = ["sosial", "perdagangan"]\n')
    path = _taxonomy_file(tmp_path, "2026.10", changes)
    assert load_taxonomy(path).changes == (TaxonomyChange("2026.9", ("sosial",)),
                                           TaxonomyChange("2026.10", ("sosial", "perdagangan")))


def test_a_taxonomy_without_changes_has_none(tmp_path: Path) -> None:
    assert load_taxonomy(_taxonomy_file(tmp_path, "2026.1", "")).changes == ()


@pytest.mark.parametrize(("version", "changes", "message"), [
    ("2026.2", '[[change]]\nversion = "2026.2"\nnarrowed = ["sosial", "olahraga"]\n',
     "categories not in the taxonomy: olahraga"),
    ("2026.2", '[[change]]\nversion = "2026.3"\nnarrowed = ["sosial"]\n',
     "version 2026.3 is newer than this taxonomy's own version 2026.2"),
    # "2026.10" < "2026.9" as text; as numbers the change is newer than the file.
    ("2026.9", '[[change]]\nversion = "2026.10"\nnarrowed = ["sosial"]\n', "2026.10 is newer than"),
    ("2026.2", '[[change]]\nversion = "2026.2-b"\nnarrowed = ["sosial"]\n',
     "version '2026.2-b' bukan angka bertitik"),
    ("2026.2", '[[change]]\nnarrowed = ["sosial"]\n', "change 1: version tidak ada / is missing"),
    ("2026.2", '[[change]]\nversion = "2026.2"\n', "narrowed must be a list of category slugs"),
    ("2026.2", '[[change]]\nversion = "2026.2"\nnarrowed = []\n', "narrowed must be a list of category slugs"),
    ("2026.2", '[[change]]\nversion = "2026.2"\nnarrowed = "sosial"\n', "narrowed must be a list"),
    ("2026.2", '[[change]]\nversion = "2026.2"\nnarowed = ["sosial"]\n', "unknown keys: narowed"),
    ("2026.2", '[[change]]\nversion = "2026.2"\nnarrowed = ["sosial"]\n'
               '[[change]]\nversion = "2026.02"\nnarrowed = ["perdagangan"]\n', "change 2026.02 is declared twice"),
    ("2026.2", 'change = "2026.2"\n', "write changes as [[change]]"),
    ("2026.2-lamsel", "", "'2026.2-lamsel' bukan angka bertitik seperti \"2026.2\" / is not a dotted number"),
    ("2026." + "1" * 20, "", "is longer than 20 characters"),
])
def test_broken_changes_are_refused_with_what_to_fix(tmp_path: Path, version: str, changes: str,
                                                     message: str) -> None:
    if changes.startswith("change ="):  # a top-level key must come before the first table
        path = tmp_path / "taxonomy.toml"
        path.write_text(f'version = "{version}"\n{changes}[[category]]\n' + CATEGORY.format(slug="sosial"),
                        encoding="utf-8")
    else:
        path = _taxonomy_file(tmp_path, version, changes)
    with pytest.raises(TaxonomyInvalid, match=re.escape(message)) as refused:
        load_taxonomy(path)
    assert refused.value.code == "taxonomy_invalid" and "Taksonomi" in refused.value.message


def test_a_taxonomy_needs_a_version(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.toml"
    path.write_text("[[category]]\n" + CATEGORY.format(slug="sosial"), encoding="utf-8")
    with pytest.raises(TaxonomyInvalid, match="version tidak ada / is missing"):
        load_taxonomy(path)


def test_versions_compare_as_numbers() -> None:
    assert version_key("2026.10") > version_key("2026.9") > version_key("2025.12")
    assert version_key("2026.2") == (2026, 2)
    assert version_key(None) is None and version_key("2026.2-b") is None and version_key("") is None


@pytest.fixture
def narrowed_twice(tmp_path: Path) -> Taxonomy:
    """sosial narrowed by 2026.9 and again by 2026.10; perdagangan never."""
    return load_taxonomy(_taxonomy_file(tmp_path, "2026.10", '[[change]]\nversion = "2026.10"\nnarrowed = ["sosial"]\n'
                                                             '[[change]]\nversion = "2026.9"\nnarrowed = ["sosial"]\n'))


@pytest.mark.parametrize(("slug", "written_under", "narrowed"), [
    ("sosial", "2026.1", "2026.10"),  # the newest change that narrowed it, whichever line it is on
    ("sosial", "2026.9", "2026.10"),  # "2026.9" > "2026.10" as text, older as numbers
    ("sosial", "2026.10", None),
    ("sosial", None, "2026.10"),  # written before labels recorded their taxonomy
    ("sosial", "kemarin", "2026.10"),  # not a version: as old as none
    ("perdagangan", "2026.1", None),
    ("perdagangan", None, None),
])
def test_narrowed_since_names_the_newest_change_after_a_labels_version(
        narrowed_twice: Taxonomy, slug: str, written_under: str | None, narrowed: str | None) -> None:
    assert narrowed_twice.narrowed_since(slug, written_under) == narrowed
