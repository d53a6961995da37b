"""`pilah train`: train a category model version from the seed corpus or a labelled export.

The work is :mod:`classify.train`'s; this only reads options, shows progress and the report,
and turns classify's errors into a one-line message and an exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from classify.errors import ClassifyError
from classify.registry import active_model_dir, active_version, load_model, promote
from classify.taxonomy import load_taxonomy
from classify.train import (
    TrainingResult,
    load_mapping,
    load_seed,
    read_labelled_file,
    train_clarity,
    train_from_rows,
    train_seed,
    write_version,
)


@contextmanager
def classify_errors() -> Iterator[None]:
    """classify's domain errors as click errors: one readable line, the error's exit code."""
    try:
        yield
    except ClassifyError as exc:
        error = click.ClickException(str(exc))
        error.exit_code = exc.exit_code
        raise error from exc


@click.command("train")
@click.option("--seed", "from_seed", is_flag=True, help="Latih ulang model bawaan dari data/seed/. Rebuild the "
              "default model from the seed corpus (reproducible).")
@click.option("--csv", "table", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="CSV/XLSX berlabel (mis. ekspor LAPOR!). Labelled CSV or XLSX export.")
@click.option("--text-column", default="text", show_default=True, help="Kolom teks. Text column (e.g. LAPORAN).")
@click.option("--label-column", default="category", show_default=True,
              help="Kolom kategori. Label column (e.g. KATEGORI).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Pemetaan kategori mereka ke taksonomi (data/mappings/*.toml). Their categories → taxonomy.")
@click.option("--prior/--no-prior", default=True, show_default=True,
              help="Gunakan model aktif sebagai fitur (dipilih lewat validasi silang). Let the active model's "
              "probabilities be features when cross-validation says they help (--csv only).")
@click.option("--tune/--no-tune", default=True, show_default=True,
              help="Pilih C lewat validasi silang dalam (--csv). Choose C by inner cross-validation (--csv only).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20), help="Lipatan k-fold. Folds.")
@click.option("--version", "version", help="Nama versi (bawaan: sumber + hash data). Version name.")
@click.pass_obj
def train(settings: object, from_seed: bool, table: Path | None, text_column: str, label_column: str,
          mapping: Path | None, prior: bool, tune: bool, folds: int, version: str | None) -> None:
    """Latih model kategori baru dan laporkan validasi silang k-fold. Train a category model version.

    Examples: pilah train --seed;
    pilah train --csv lapor.xlsx --text-column LAPORAN --label-column KATEGORI --mapping data/mappings/x.toml
    """
    if from_seed == (table is not None):
        raise click.UsageError("pilih salah satu / choose exactly one of --seed or --csv FILE")
    with classify_errors():
        models_dir, data_dir = Path(settings.models_dir), Path(settings.data_dir)
        with _progress(folds + 2) as advance:
            result = (train_seed(data_dir / "seed", load_taxonomy(data_dir / "taxonomy.toml"), folds=folds,
                                 progress=advance) if from_seed
                      else _train_table(settings, table, (text_column, label_column), mapping, (prior, tune), folds,
                                        advance))
        directory = write_version(models_dir, result, version)
        _report(result, directory)
        if active_version(models_dir) is None:
            promote(models_dir, directory.name)
            click.echo(f"{directory.name} diaktifkan (belum ada model aktif) / activated (there was no active model)")
        elif active_version(models_dir) == directory.name:
            click.echo(f"{directory.name} adalah versi aktif, dibangun ulang / is the active version, rebuilt")
        else:
            click.echo(f"Aktifkan dengan / activate with: pilah models promote {directory.name}")


def _train_table(settings: object, table: Path, columns: tuple[str, str], mapping: Path | None,
                 choices: tuple[bool, bool], folds: int, advance: Callable[[int], None]) -> TrainingResult:
    data_dir = Path(settings.data_dir)
    use_prior, tune = choices
    rows = read_labelled_file(table, *columns, load_mapping(mapping) if mapping else None)
    for label, count in sorted(rows.skipped.items()):
        click.echo(f"dilewati / skipped {count} baris/rows labelled {label!r} (no text or no mapping)")
    clarity = train_clarity(load_seed(data_dir / "seed"))
    advance(1)
    prior_model, prior_version = None, None
    if use_prior and active_version(settings.models_dir):
        prior_model, _ = load_model(active_model_dir(settings.models_dir))
        prior_version = active_version(settings.models_dir)
    return train_from_rows(rows.texts, rows.labels, taxonomy=load_taxonomy(data_dir / "taxonomy.toml"),
                           folds=folds, source=rows.source, digest=rows.digest, prior=prior_model,
                           prior_version=prior_version, tune=tune, clarity=clarity, progress=advance)


@contextmanager
def _progress(total: int) -> Iterator[object]:
    columns = (TextColumn("melatih / training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("train", total=total)
        yield lambda steps=1: bar.advance(task, steps)


def _report(result: TrainingResult, directory: Path) -> None:
    card = result.card
    click.echo(f"Versi / version: {directory.name}  ({card['training_data']['rows']} baris/rows, "
               f"sumber/source {card['training_data']['source']})")
    click.echo(result.evaluation.report())
    if card.get("prior"):
        used = "dipakai / used" if card["prior"]["used"] else "tidak dipakai / not used"
        click.echo(f"Model prior {card['prior']['version']}: {used}")
    if card.get("selection"):
        click.echo(f"Dipilih lewat validasi silang dalam / chosen by inner cross-validation: "
                   f"{card['selection']['chosen']}")
    click.echo(f"Disimpan / saved: {directory} (model.skops, card.json, confusion.png)")
