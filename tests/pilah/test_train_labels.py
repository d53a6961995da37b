"""`pilah train --labels`: the seed corpus plus the staff's labels table, on SQLite and PostgreSQL; and what
`pilah train` says to do with a version it did not activate, run as printed."""

from __future__ import annotations

import json
import shlex
import shutil
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from classify.registry import active_version, load_model
from pilah.cli.models import models
from pilah.cli.train import train
from pilah.queries.learning import newest_category_labels
from pilah.schema import ChannelPayload, Label, Post, Report

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "classify" / "fixtures"
AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
SCHOOL = ("atap kelas sekolah dasar bocor murid belajar di teras", "guru honorer sekolah belum digaji tiga bulan",
          "seragam sekolah gratis belum dibagikan ke murid", "ruang kelas sekolah rusak murid takut masuk")


@pytest.fixture
def settings(tmp_path: Path, engine: object, database_url: str) -> types.SimpleNamespace:
    """What `ctx.obj` offers the command: the tiny seed corpus (3 categories), no models, a migrated database."""
    shutil.copytree(FIXTURES / "seed", tmp_path / "data" / "seed")
    shutil.copy(ROOT / "data" / "taxonomy.toml", tmp_path / "data" / "taxonomy.toml")
    return types.SimpleNamespace(models_dir=tmp_path / "models", data_dir=tmp_path / "data", kabupaten="18.01",
                                 database_url=database_url)


def _report(session: Session, n: int) -> Report:
    payload = ChannelPayload(channel="sms", endpoint="t", parameters={}, collector_version="t", retrieved_at=AT,
                             sha256=f"{n:064d}", body=b"")
    session.add(payload)
    session.flush()
    post = Post(channel="sms", source_id=f"s{n}", payload_id=payload.id, author_id=f"a{n}", text=f"laporan {n}",
                created_at=AT)
    session.add(post)
    session.flush()
    report = Report(post_id=post.id, status="terverifikasi", category_terms=[])
    session.add(report)
    session.flush()
    return report


def _label(session: Session, report: Report | None, text: str, category: str | None, minutes: int,
           version: str | None = None) -> None:
    session.add(Label(report_id=report.id if report else None, text=text, category=category, source="verifikasi",
                      labeller="verifikator", created_at=AT + timedelta(minutes=minutes), taxonomy_version=version))


@pytest.fixture
def labelled(factory: sessionmaker[Session]) -> None:
    """Four school reports, first labelled adminduk then corrected to pendidikan (the newer label wins);
    one report whose newest label has no category; one label of a category outside the taxonomy."""
    with factory() as session, session.begin():
        for n, text in enumerate(SCHOOL):
            report = _report(session, n)
            _label(session, report, text, "adminduk", 0)
            _label(session, report, text, "pendidikan", 5)
        unclear = _report(session, 10)
        _label(session, unclear, "jalan berlubang", "infrastruktur", 0)
        _label(session, unclear, "jalan berlubang", None, 5)
        _label(session, None, "objek wisata curug kotor", "pariwisata", 0)


def test_newest_label_per_report_wins(factory: sessionmaker[Session], labelled: None) -> None:
    with factory() as session:
        found = newest_category_labels(session)
    assert found.rows_in_table == 11 and found.superseded == 5
    assert sorted(zip(found.texts, found.categories, strict=True), key=str) == sorted(
        [*((t, "pendidikan") for t in SCHOOL), ("jalan berlubang", None), ("objek wisata curug kotor", "pariwisata")],
        key=str)


def test_train_labels_on_an_empty_table_says_so(settings: types.SimpleNamespace) -> None:
    result = CliRunner().invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 4
    assert "the labels table is empty" in result.output
    assert not settings.models_dir.exists()


def test_train_labels_with_no_usable_label_says_so(settings: types.SimpleNamespace,
                                                   factory: sessionmaker[Session]) -> None:
    with factory() as session, session.begin():
        _label(session, None, "objek wisata curug kotor", "pariwisata", 0)
    result = CliRunner().invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 4
    assert "no usable category labels" in result.output and "pariwisata 1" in result.output


def test_train_labels_adds_the_corrections_and_skips_the_rest(settings: types.SimpleNamespace,
                                                              labelled: None) -> None:
    result = CliRunner().invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 0, result.output
    assert "11 baris/rows, 5 digantikan" in result.output and "4 dipakai/used" in result.output
    assert "skipped 1 label 'pariwisata'" in result.output
    assert "skipped 1 label '(tanpa kategori/no category)'" in result.output
    assert "pendidikan" in result.output  # a category the seed fixture does not have
    (directory,) = settings.models_dir.glob("seed-labels-*")
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    data = card["training_data"]
    assert data["source"] == "seed+labels"
    assert data["rows"] == data["seed_rows"] + 4 and data["rows_per_label"]["pendidikan"] == 4
    assert data["label_rows"] == {"in_table": 11, "superseded": 5, "used": 4,
                                  "skipped": {"(tanpa kategori/no category)": 1, "pariwisata": 1},
                                  "skipped_narrowed": [], "used_per_label": {"pendidikan": 4}}
    model, _ = load_model(directory)
    assert "pendidikan" in model.classes_
    assert model.predict(["sekolah bocor murid belajar di teras"])[0] == "pendidikan"


def test_train_labels_normalises_with_the_offices_kabupaten(settings: types.SimpleNamespace,
                                                            labelled: None) -> None:
    settings.kabupaten = "33.03"  # Purbalingga: its labels name its places
    result = CliRunner().invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 0, result.output
    (directory,) = settings.models_dir.glob("seed-labels-*")
    model, card = load_model(directory)
    assert card["params"]["kabupaten"] == "33.03" and model.vectorizer().kabupaten == "33.03"


ELPIJI = ("gas elpiji 3 kg langka di pangkalan desa sudah seminggu", "harga elpiji melon di warung tembus 30 ribu")
PRICES = ("harga elpiji di pangkalan di atas het tolong ditertibkan", "elpiji 3 kg kosong di semua pangkalan",
          "pangkalan elpiji jual ke pengecer harga jadi mahal")
BANSOS = ("bpnt bulan ini belum cair padahal terdaftar dtks", "pkh ibu saya dipotong pendamping",
          "lansia tidak mampu belum dapat blt dana desa")
NARROWED_LINE = ("dilewati / skipped {count} label {slug!r} (ditulis sebelum taksonomi 2026.2 mempersempit kategori "
                 "ini; periksa ulang / written before taxonomy 2026.2 narrowed this category; re-check)")


@pytest.fixture
def labelled_across_taxonomies(factory: sessionmaker[Session]) -> None:
    """Labels around the 2026.2 upgrade, which narrowed sosial and infrastruktur:
    four school reports labelled pendidikan under 2026.1 (not narrowed: used);
    two elpiji reports labelled sosial under 2026.1 (skipped);
    one irrigation report labelled infrastruktur before labels recorded a version (NULL: skipped);
    three elpiji reports labelled sosial under 2026.1, verified again as perdagangan under 2026.2 (used);
    three bansos reports labelled sosial under 2026.2 (used)."""
    with factory() as session, session.begin():
        for n, text in enumerate(SCHOOL):
            _label(session, _report(session, n), text, "pendidikan", 0, "2026.1")
        for n, text in enumerate(ELPIJI, start=10):
            _label(session, _report(session, n), text, "sosial", 0, "2026.1")
        _label(session, _report(session, 20), "pupuk subsidi langka irigasi kering", "infrastruktur", 0)
        for n, text in enumerate(PRICES, start=30):
            report = _report(session, n)
            _label(session, report, text, "sosial", 0, "2026.1")
            _label(session, report, text, "perdagangan", 5, "2026.2")
        for n, text in enumerate(BANSOS, start=40):
            _label(session, _report(session, n), text, "sosial", 0, "2026.2")


def test_newest_labels_carry_the_taxonomy_they_were_written_under(factory: sessionmaker[Session],
                                                                  labelled_across_taxonomies: None) -> None:
    with factory() as session:
        found = newest_category_labels(session)
    assert sorted(zip(found.categories, found.taxonomy_versions, strict=True), key=str) == sorted(
        [*[("pendidikan", "2026.1")] * 4, *[("sosial", "2026.1")] * 2, ("infrastruktur", None),
         *[("perdagangan", "2026.2")] * 3, *[("sosial", "2026.2")] * 3], key=str)


def test_train_labels_skips_labels_written_before_their_category_was_narrowed(
        settings: types.SimpleNamespace, labelled_across_taxonomies: None) -> None:
    result = CliRunner().invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Label staf / staff labels: 16 baris/rows, 3 digantikan label yang lebih baru / superseded by a newer " \
           "label, 10 dipakai/used" in lines
    assert NARROWED_LINE.format(count=2, slug="sosial") in lines
    assert NARROWED_LINE.format(count=1, slug="infrastruktur") in lines
    (directory,) = settings.models_dir.glob("seed-labels-*")
    card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    assert card["training_data"]["label_rows"] == {
        "in_table": 16, "superseded": 3, "used": 10,
        "skipped": {},
        "skipped_narrowed": [{"category": "infrastruktur", "narrowed_in": "2026.2", "rows": 1},
                             {"category": "sosial", "narrowed_in": "2026.2", "rows": 2}],
        "used_per_label": {"pendidikan": 4, "perdagangan": 3, "sosial": 3}}


@pytest.fixture
def school_labels(factory: sessionmaker[Session]) -> None:
    """Four school reports verified as pendidikan under the taxonomy in force."""
    with factory() as session, session.begin():
        for n, text in enumerate(SCHOOL):
            _label(session, _report(session, n), text, "pendidikan", 0, "2026.2")



def test_the_printed_promotion_of_a_labels_version_is_not_refused_for_its_evaluation_data(
        settings: types.SimpleNamespace, school_labels: None) -> None:
    runner = CliRunner()
    assert runner.invoke(train, ["--seed", "--folds", "2"], obj=settings).exit_code == 0
    result = runner.invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 0, result.output
    (candidate,) = (path.name for path in settings.models_dir.glob("seed-labels-*"))
    commands = [shlex.split(line.strip()) for line in result.output.splitlines()
                if line.strip().startswith("pilah models ")]
    assert (commands[0][2], commands[0][4]) == ("compare", candidate), result.output
    assert commands[1][2:] == ["promote", candidate, "--on-labels"], result.output
    for args in commands[:2]:
        ran = runner.invoke(models, args[2:], obj=settings)
        assert "data berbeda" not in ran.output and "different data" not in ran.output
        assert ran.exit_code == 0, ran.output
    assert "macro-F1 pada 4 label staf / on 4 staff labels" in ran.output
    assert active_version(settings.models_dir) == candidate


def test_a_labels_version_trained_before_the_latest_verifications_is_not_scored_on_them(
        settings: types.SimpleNamespace, school_labels: None, factory: sessionmaker[Session]) -> None:
    """Its k-fold figure is on older labels and its score on today's would count posts it learned from."""
    runner = CliRunner()
    assert runner.invoke(train, ["--seed", "--folds", "2"], obj=settings).exit_code == 0
    assert runner.invoke(train, ["--labels", "--folds", "2", "--version", "labels-1"], obj=settings).exit_code == 0
    with factory() as session, session.begin():
        session.add(Label(report_id=None, text="sekolah roboh murid belajar di tenda", category="pendidikan",
                          source="verifikasi", labeller="verifikator", created_at=datetime(2026, 11, 21, tzinfo=UTC),
                          taxonomy_version="2026.2"))
    ran = runner.invoke(models, ["promote", "labels-1", "--on-labels"], obj=settings)
    assert ran.exit_code != 0
    assert "[promotion_refused] labels-1 dilatih dari label staf sebelum verifikasi" in ran.output
    assert active_version(settings.models_dir).startswith("seed-")


def test_a_version_evaluated_like_the_active_one_gets_the_one_line_hint(settings: types.SimpleNamespace,
                                                                         tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(train, ["--seed", "--folds", "2"], obj=settings).exit_code == 0
    result = runner.invoke(train, ["--seed", "--folds", "2", "--version", "seed-again"], obj=settings)
    assert result.exit_code == 0, result.output
    line = "Aktifkan dengan / activate with: pilah models promote seed-again"
    assert line in result.output.splitlines()
    promoted = runner.invoke(models, shlex.split(line.split(": ", 1)[1])[2:], obj=settings)
    assert promoted.exit_code == 0, promoted.output


def test_the_printed_promotion_of_a_csv_version_reads_the_file_like_the_export(settings: types.SimpleNamespace,
                                                                               tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(train, ["--seed", "--folds", "2"], obj=settings).exit_code == 0
    export = ["--csv", str(FIXTURES / "lapor_export.csv"), "--text-column", "LAPORAN", "--label-column", "KATEGORI",
              "--mapping", str(FIXTURES / "lapor_mapping.toml")]
    result = runner.invoke(train, [*export, "--folds", "2", "--version", "lapor-1", "--no-prior"], obj=settings)
    assert result.exit_code == 0, result.output
    (line,) = (line.strip() for line in result.output.splitlines()
               if line.strip().startswith("pilah models promote") and "--on FILE" in line)
    trained_on, next_month = FIXTURES / "lapor_export.csv", tmp_path / "lapor-desember.csv"
    next_month.write_text("".join(trained_on.read_text(encoding="utf-8").splitlines(keepends=True)[:-1]),
                          encoding="utf-8")
    for scored_on, said in ((next_month, "macro-F1 pada/on lapor-desember.csv"),
                            (trained_on, "lapor-1 dilatih dari lapor_export.csv; skornya di sana tidak jujur")):
        args = [str(scored_on) if arg == "FILE" else arg for arg in shlex.split(line)[2:]]
        ran = runner.invoke(models, args, obj=settings)
        assert said in ran.output, ran.output
        assert "data berbeda" not in ran.output and "different data" not in ran.output
    nothing_maps = tmp_path / "kosong.toml"
    nothing_maps.write_text('[to_taxonomy]\n"Kategori Lain" = "sosial"\n', encoding="utf-8")
    unmapped = runner.invoke(models, ["promote", "lapor-1", "--on", str(next_month), "--text-column", "LAPORAN",
                                      "--label-column", "KATEGORI", "--mapping", str(nothing_maps)], obj=settings)
    assert unmapped.exit_code != 0 and "Traceback" not in unmapped.output
    assert "dilewati / skipped" in unmapped.output and "Tidak ada baris yang bisa dinilai" in unmapped.output
