"""Training from the seed corpus, a LAPOR!-style export or rows; the card; reproducibility."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from classify.errors import TrainingDataInvalid
from classify.registry import load_object, promote
from classify.taxonomy import Category, Taxonomy, TaxonomyChange
from classify.train import (
    LabelledRows,
    TrainingResult,
    default_version,
    load_mapping,
    load_seed,
    mapped_rows,
    read_labelled_file,
    staff_labels,
    train_from_rows,
    train_seed,
    train_seed_with_labels,
    write_version,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_load_seed_reads_every_file_in_name_order(tiny_seed_dir: Path) -> None:
    seed = load_seed(tiny_seed_dir)
    assert len(seed.texts) == 32 and seed.categories[0] == "adminduk"
    assert seed.categories.count("") == 8 and "greeting_only" in seed.reasons
    assert len(seed.labelled().texts) == 24


def test_card_records_what_is_needed_to_trust_the_model(tiny_training: TrainingResult, taxonomy: Taxonomy) -> None:
    card = tiny_training.card
    assert card["training_data"]["rows"] == 24 and card["training_data"]["unclear_rows"] == 8
    assert card["taxonomy"]["sha256"] == taxonomy.digest
    assert set(card["metrics"]["per_class"]) == {"adminduk", "infrastruktur", "kesehatan"}
    assert card["metrics"]["evaluation_set"].startswith("2-fold:")
    assert card["libraries"]["scikit-learn"] and "git_commit" in card
    assert default_version(tiny_training) == "seed-" + card["training_data"]["sha256"][:8]


def test_seed_training_is_reproducible(tiny_seed_dir: Path, taxonomy: Taxonomy,
                                       tiny_training: TrainingResult) -> None:
    again = train_seed(tiny_seed_dir, taxonomy, folds=2)
    assert again.card["metrics"] == tiny_training.card["metrics"]


def test_lapor_export_with_mapping_skips_and_counts_unmapped_rows() -> None:
    mapping = load_mapping(FIXTURES / "lapor_mapping.toml")
    rows = read_labelled_file(FIXTURES / "lapor_export.csv", "laporan", "KATEGORI", mapping)
    assert rows.labels == ["infrastruktur"] * 3 + ["adminduk"] * 3
    assert rows.skipped == {"Lain-lain": 1, "Kependudukan": 1}  # no mapping; no text


def test_xlsx_exports_read_like_csv(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    pd.read_csv(FIXTURES / "lapor_export.csv").to_excel(path, index=False)
    rows = read_labelled_file(path, "LAPORAN", "KATEGORI")
    assert len(rows.texts) == 7 and rows.labels[0] == "Jalan dan Jembatan"


def test_an_export_with_a_title_row_above_its_header(tmp_path: Path) -> None:
    frame = pd.read_csv(FIXTURES / "lapor_export.csv")
    path = tmp_path / "rekap.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["REKAP LAPORAN LAPOR! KABUPATEN 2026"], [""]]).to_excel(writer, index=False, header=False)
        frame.to_excel(writer, index=False, startrow=2)
    rows = read_labelled_file(path, "LAPORAN", "KATEGORI")
    assert len(rows.texts) == 7 and rows.labels[0] == "Jalan dan Jembatan"
    text = (FIXTURES / "lapor_export.csv").read_text(encoding="utf-8")
    titled = tmp_path / "rekap.csv"
    titled.write_text("REKAP LAPORAN 2026\nperiode: November\n" + text, encoding="utf-8")
    assert read_labelled_file(titled, "LAPORAN", "KATEGORI").texts == rows.texts


def test_a_csv_written_with_semicolons_by_excel(tmp_path: Path) -> None:
    path = tmp_path / "rekap.csv"
    pd.read_csv(FIXTURES / "lapor_export.csv").to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    rows = read_labelled_file(path, "LAPORAN", "KATEGORI")
    assert len(rows.texts) == 7 and rows.labels[0] == "Jalan dan Jembatan"


def test_a_mistyped_column_of_a_titled_semicolon_export_lists_the_columns_there_are(tmp_path: Path) -> None:
    """Not the CSV parser's "Expected 1 fields in line 4, saw 3" from reading it with commas."""
    path = tmp_path / "rekap.csv"
    path.write_text("REKAP LAPORAN 2026\n\nLAPORAN;KATEGORI;DITERUSKAN\njalan rusak;Jalan;PU\n", encoding="utf-8")
    with pytest.raises(TrainingDataInvalid, match=r"missing columns in rekap\.csv: ISI") as raised:
        read_labelled_file(path, "ISI", "KATEGORI")
    assert raised.value.hint == "kolom yang ada / available: LAPORAN, KATEGORI, DITERUSKAN"


def test_missing_columns_and_unknown_labels_are_clear_errors(taxonomy: Taxonomy) -> None:
    with pytest.raises(TrainingDataInvalid, match="ISI"):
        read_labelled_file(FIXTURES / "lapor_export.csv", "ISI", "KATEGORI")
    with pytest.raises(TrainingDataInvalid, match="Jalan"):
        train_from_rows(["a b", "c d", "e f", "g h"], ["Jalan", "Jalan", "KTP", "KTP"], taxonomy=taxonomy, folds=2)


def test_a_prior_model_and_c_are_chosen_by_inner_cross_validation(tiny_rows: tuple[list[str], list[str]],
                                                                   tiny_training: TrainingResult) -> None:
    texts, labels = tiny_rows
    result = train_from_rows(texts * 2, labels * 2, folds=2, prior=tiny_training.model, prior_version="seed-x",
                             tune=True)
    selection = result.card["selection"]
    assert len(selection["tried"]) == 6  # 3 values of C × with/without the prior
    assert {t["params"]["prior"] for t in selection["tried"]} == {None, "seed-x"}
    assert selection["chosen"]["C"] == result.model.C
    assert result.card["prior"] == {"version": "seed-x", "used": selection["chosen"]["prior"] == "seed-x"}


def test_seed_rows_are_offered_as_reference_and_described_on_the_card(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    reference = LabelledRows(["air sumur kering zorglub", "posyandu tutup zorglub", "ktp hilang di pasar"],
                             ["kesehatan", "kesehatan", "ekonomi"], "seed", "abc")
    result = train_from_rows(texts * 2, labels * 2, folds=2, reference=reference)
    selection = result.card["selection"]
    assert [t["params"]["reference"] for t in selection["tried"]] == [None, "seed"]
    card = result.card["reference"]
    assert card["rows"] == 3 and card["rows_in_training_labels"] == 2 and card["sha256"] == "abc"
    assert card["used"] == (selection["chosen"]["reference"] == "seed") == (result.model.reference is not None)
    assert result.card["params"]["reference"] in (None, "3 rows")


def test_mapped_rows_relabel_and_drop_the_unmapped() -> None:
    rows = LabelledRows(["a", "b", "c"], ["adminduk", "kesehatan", "sosial"], "seed", "d")
    mapped = mapped_rows(rows, {"adminduk": "Pelayanan Publik", "kesehatan": "Pelayanan Publik"})
    assert (mapped.texts, mapped.labels) == (["a", "b"], ["Pelayanan Publik", "Pelayanan Publik"])
    assert mapped.digest != rows.digest


def test_staff_labels_skip_and_count_what_cannot_train(taxonomy: Taxonomy) -> None:
    rows = staff_labels(["jalan rusak", "", "curug kotor", "spam", "ktp"],
                        ["infrastruktur", "adminduk", "pariwisata", None, "adminduk"], taxonomy,
                        versions=["2026.2"] * 5)
    assert (rows.texts, rows.labels) == (["jalan rusak", "ktp"], ["infrastruktur", "adminduk"])
    assert rows.skipped == {"(teks kosong/empty text)": 1, "pariwisata": 1, "(tanpa kategori/no category)": 1}


@pytest.fixture
def sosial_narrowed_in_2026_2() -> Taxonomy:
    """Three categories; version 2026.2 gave some of sosial's posts to perdagangan."""
    categories = tuple(Category(slug, slug, slug, "d", "x") for slug in ("sosial", "perdagangan", "kesehatan"))
    return Taxonomy("2026.2", categories, changes=(TaxonomyChange("2026.2", ("sosial",)),))


@pytest.mark.parametrize(("category", "written_under", "kept"), [
    ("sosial", "2026.1", False),  # an elpiji complaint labelled sosial before perdagangan existed
    ("sosial", None, False),  # written before labels recorded their taxonomy: older than every change
    ("sosial", "2026.2", True),  # chosen by a person who could have chosen perdagangan
    ("kesehatan", "2026.1", True),  # no change touched kesehatan
    ("kesehatan", None, True),
    ("perdagangan", "2026.2", True),
])
def test_a_label_of_a_category_narrowed_after_it_was_written_is_skipped(
        sosial_narrowed_in_2026_2: Taxonomy, category: str, written_under: str | None, kept: bool) -> None:
    rows = staff_labels(["elpiji 3 kg langka di pangkalan"], [category], sosial_narrowed_in_2026_2,
                        versions=[written_under])
    assert rows.labels == ([category] if kept else [])
    assert rows.skipped == {}
    assert rows.narrowed == ({} if kept else {(category, "2026.2"): 1})


def test_narrowed_skips_are_counted_apart_from_the_other_reasons(sosial_narrowed_in_2026_2: Taxonomy) -> None:
    rows = staff_labels(["elpiji langka", "bpnt belum cair", "", "curug kotor", "puskesmas tutup"],
                        ["sosial", "sosial", "sosial", "pariwisata", "kesehatan"], sosial_narrowed_in_2026_2,
                        versions=["2026.1", None, "2026.1", "2026.1", "2026.1"])
    assert rows.labels == ["kesehatan"]
    assert rows.skipped == {"(teks kosong/empty text)": 1, "pariwisata": 1}
    assert rows.narrowed == {("sosial", "2026.2"): 2}


def test_training_with_labels_adds_them_to_the_seed_rows(tiny_seed_dir: Path, taxonomy: Taxonomy) -> None:
    labels = staff_labels(["sekolah roboh murid belajar di teras"] * 3 + ["curug kotor"],
                          ["pendidikan"] * 3 + ["pariwisata"], taxonomy, versions=[None] * 4)
    result = train_seed_with_labels(tiny_seed_dir, taxonomy, labels, folds=2, label_counts={"in_table": 5})
    data = result.card["training_data"]
    assert data["rows"] == data["seed_rows"] + 3 and data["rows_per_label"]["pendidikan"] == 3
    assert data["label_rows"]["in_table"] == 5 and data["label_rows"]["skipped"] == {"pariwisata": 1}
    assert "pendidikan" in result.model.classes_ and result.clarity is not None
    on_labels = result.card["metrics"]["staff_labels"]  # the label rows' own out-of-fold figure, for the gate
    held_out = result.held_out[data["seed_rows"]:]
    assert (on_labels["rows"], on_labels["labels_sha256"]) == (3, labels.digest) and len(held_out) == 3
    recall = float(sum(held_out == "pendidikan")) / 3  # one class, so macro-F1 is its F1 = 2R / (1 + R)
    assert on_labels["macro_f1"] == pytest.approx(2 * recall / (1 + recall), abs=1e-4)
    with pytest.raises(TrainingDataInvalid, match="no usable category labels"):
        train_seed_with_labels(tiny_seed_dir, taxonomy, staff_labels(["x"], ["pariwisata"], taxonomy, versions=[None]),
                               folds=2)


def test_too_few_rows_skip_the_selection(tiny_rows: tuple[list[str], list[str]]) -> None:
    texts, labels = tiny_rows
    assert train_from_rows(texts, labels, folds=2, tune=True).card["selection"] is None


def test_a_version_without_its_own_unclear_detector_gets_the_active_one(
        tiny_rows: tuple[list[str], list[str]], tiny_version: Path, tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(tiny_version, models / tiny_version.name)
    promote(models, tiny_version.name)
    texts, labels = tiny_rows
    directory = write_version(models, train_from_rows(texts, labels, folds=2), "from-labels")
    card = json.loads((directory / "card.json").read_text())
    assert card["clarity_source"] == f"copied from {tiny_version.name}"
    assert load_object(directory / "clarity.skops", card).assess("assalamualaikum min").unclear
