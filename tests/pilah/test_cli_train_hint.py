"""What `pilah train` says to do with a version it did not activate, run as printed."""

from __future__ import annotations

import shlex
import shutil
import types
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session, sessionmaker

from classify.registry import active_version
from pilah.cli.models import models
from pilah.cli.train import train
from pilah.schema import ChannelPayload, Label, Post, Report

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "classify" / "fixtures"
SCHOOL = ("atap kelas sekolah dasar bocor murid belajar di teras", "guru honorer sekolah belum digaji tiga bulan",
          "seragam sekolah gratis belum dibagikan ke murid", "ruang kelas sekolah rusak murid takut masuk")


@pytest.fixture
def settings(tmp_path: Path, engine: object, database_url: str) -> types.SimpleNamespace:
    shutil.copytree(FIXTURES / "seed", tmp_path / "data" / "seed")
    shutil.copy(ROOT / "data" / "taxonomy.toml", tmp_path / "data" / "taxonomy.toml")
    return types.SimpleNamespace(models_dir=tmp_path / "models", data_dir=tmp_path / "data", kabupaten="18.01",
                                 database_url=database_url)


@pytest.fixture
def school_labels(factory: sessionmaker[Session]) -> None:
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with factory() as session, session.begin():
        for n, text in enumerate(SCHOOL):
            payload = ChannelPayload(channel="sms", endpoint="t", parameters={}, collector_version="t",
                                     retrieved_at=at, sha256=f"{n:064d}", body=b"")
            session.add(payload)
            session.flush()
            post = Post(channel="sms", source_id=f"s{n}", payload_id=payload.id, author_id=f"a{n}", text=text,
                        created_at=at)
            session.add(post)
            session.flush()
            report = Report(post_id=post.id, status="terverifikasi", category_terms=[])
            session.add(report)
            session.flush()
            session.add(Label(report_id=report.id, text=text, category="pendidikan", source="verifikasi",
                              labeller="verifikator", created_at=at, taxonomy_version="2026.2"))


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
