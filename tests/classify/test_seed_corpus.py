"""The shipped seed corpus (data/seed/) keeps the promises the default model is trained on: every
category of the taxonomy well represented, every place code a real one, every row in one file's
category, no post written twice."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from classify.clarity import REASONS
from classify.gazetteer import region_entries
from classify.taxonomy import Taxonomy

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "seed"
STYLES = {"tweet", "facebook", "sms", "web"}
#: Issue 3: at least this many labelled posts per category.
PER_CATEGORY = 120


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, dict[str, str]]]:
    found = []
    for path in sorted(SEED.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            found += [(path.stem, row) for row in csv.DictReader(handle)]
    return found


@pytest.fixture(scope="module")
def place_codes() -> set[str]:
    return {entry.code for _, entry in region_entries("18.01")}


def test_every_category_has_enough_posts(rows: list[tuple[str, dict[str, str]]], taxonomy: Taxonomy) -> None:
    counts = Counter(row["category"] for _, row in rows if row["category"])
    assert set(counts) == {c.slug for c in taxonomy.categories}
    assert min(counts.values()) >= PER_CATEGORY, counts


def test_a_category_file_holds_only_its_category(rows: list[tuple[str, dict[str, str]]]) -> None:
    misplaced = [(stem, row["text"]) for stem, row in rows
                 if row["category"] and row["category"] != stem]
    assert misplaced == []


def test_unclear_rows_have_a_known_reason_and_no_category(rows: list[tuple[str, dict[str, str]]]) -> None:
    for stem, row in rows:
        if stem.startswith("tidak_jelas"):
            assert not row["category"] and row["unclear_reason"] in REASONS, row
        else:
            assert not row["unclear_reason"], row


def test_place_codes_are_kemendagri_codes_of_the_kabupaten(rows: list[tuple[str, dict[str, str]]],
                                                           place_codes: set[str]) -> None:
    for _, row in rows:
        kecamatan, desa = row["kecamatan_code"], row["desa_code"]
        if kecamatan:
            assert kecamatan in place_codes and len(kecamatan) == 8, row
        if desa:
            assert desa in place_codes and desa.startswith(kecamatan + "."), row


def test_styles_are_the_channels_posts_come_from(rows: list[tuple[str, dict[str, str]]]) -> None:
    assert {row["style"] for _, row in rows} == STYLES


def test_no_post_is_written_twice(rows: list[tuple[str, dict[str, str]]]) -> None:
    texts = Counter(" ".join(row["text"].lower().split()) for _, row in rows)
    assert [text for text, n in texts.items() if n > 1] == []
