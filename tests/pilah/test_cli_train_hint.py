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
HELD_OUT = [("ktp belum jadi sudah dua bulan", "adminduk"), ("jalan desa berlubang besar", "infrastruktur"),
            ("puskesmas kekurangan obat", "kesehatan"), ("murid belajar di teras karena kelas bocor", "pendidikan")]


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
        settings: types.SimpleNamespace, school_labels: None, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(train, ["--seed", "--folds", "2"], obj=settings).exit_code == 0
    result = runner.invoke(train, ["--labels", "--folds", "2"], obj=settings)
    assert result.exit_code == 0, result.output
    (candidate,) = (path.name for path in settings.models_dir.glob("seed-labels-*"))
    held_out = tmp_path / "uji.csv"
    held_out.write_text("text,category\n" + "".join(f"{text},{label}\n" for text, label in HELD_OUT))
    commands = [shlex.split(line.strip()) for line in result.output.splitlines()
                if line.strip().startswith("pilah models ")]
    assert [args[2] for args in commands] == ["compare", "promote"], result.output
    for args in commands:
        ran = runner.invoke(models, [str(held_out) if arg == "FILE" else arg for arg in args[2:]], obj=settings)
        assert "data berbeda" not in ran.output and "different data" not in ran.output
        assert ran.exit_code == 0, ran.output
    assert active_version(settings.models_dir) == candidate


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
    (line,) = (line.strip() for line in result.output.splitlines() if line.strip().startswith("pilah models promote"))
    args = [str(FIXTURES / "lapor_export.csv") if arg == "FILE" else arg for arg in shlex.split(line)[2:]]
    ran = runner.invoke(models, args, obj=settings)
    assert "macro-F1 pada/on lapor_export.csv" in ran.output, ran.output
    assert "data berbeda" not in ran.output and "different data" not in ran.output
