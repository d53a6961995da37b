"""`pilah train`: train a category model version from the seed corpus, a labelled export or the labels table.

The work is :mod:`classify.train`'s; this only reads options, shows progress and the report,
and turns classify's errors into a one-line message and an exit code.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from classify.errors import ClassifyError, TrainingDataInvalid
from classify.registry import (
    CARD_FILE,
    active_model_dir,
    active_version,
    check_version_name,
    get_version,
    load_model,
    promote,
    same_evaluation,
)
from classify.taxonomy import load_taxonomy
from classify.train import (
    LabelledRows,
    TrainingResult,
    load_mapping,
    load_seed,
    read_labelled_file,
    train_clarity,
    train_from_rows,
    train_seed,
    train_seed_with_labels,
    write_version,
)
from pilah.cli.runtime import record_model_change


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
@click.option("--labels", "from_labels", is_flag=True, help="Latih dari korpus benih + label staf di tabel "
              "labels (label terbaru per laporan). Seed corpus plus the staff's category labels in the database.")
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
@click.option("--seed-rows/--no-seed-rows", default=False, show_default=True,
              help="Tambahkan korpus benih berbobot kecil ke data latih (dipilih lewat validasi silang). Add the seed "
              "corpus, lightly weighted, to the training rows when cross-validation says it helps (--csv only).")
@click.option("--tune/--no-tune", default=True, show_default=True,
              help="Pilih C lewat validasi silang dalam (--csv). Choose C by inner cross-validation (--csv only).")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20), help="Lipatan k-fold. Folds.")
@click.option("--version", "version", help="Nama versi (bawaan: sumber + hash data). Version name.")
@click.pass_obj
def train(settings: object, from_seed: bool, from_labels: bool, table: Path | None, text_column: str,
          label_column: str, mapping: Path | None, prior: bool, seed_rows: bool, tune: bool, folds: int,
          version: str | None) -> None:
    """Latih model kategori baru dan laporkan validasi silang k-fold. Train a category model version.

    --csv and --labels normalise with the configured kabupaten (its place names are never stemmed or
    rewritten); --seed rebuilds the default model, whose seed corpus is Lampung Selatan's.

    Examples: pilah train --seed; pilah train --labels;
    pilah train --csv lapor.xlsx --text-column LAPORAN --label-column KATEGORI --mapping data/mappings/x.toml
    """
    if [from_seed, from_labels, table is not None].count(True) != 1:
        raise click.UsageError("pilih salah satu / choose exactly one of --seed, --labels or --csv FILE")
    with classify_errors():
        if version is not None:
            check_version_name(version)  # before the minutes of training, not after
        models_dir, data_dir = Path(settings.models_dir), Path(settings.data_dir)
        labels = _staff_labels(settings) if from_labels else None
        with _progress(folds + 2) as advance:
            if from_seed:
                result = train_seed(data_dir / "seed", load_taxonomy(data_dir / "taxonomy.toml"), folds=folds,
                                    progress=advance)
            elif labels is not None:
                result = train_seed_with_labels(data_dir / "seed", load_taxonomy(data_dir / "taxonomy.toml"),
                                                labels[0], label_counts=labels[1], folds=folds, progress=advance,
                                                kabupaten=settings.kabupaten)
            else:
                result = _train_table(settings, table, (text_column, label_column), mapping,
                                      (prior, seed_rows, tune), folds, advance)
        directory = write_version(models_dir, result, version)
        _report(result, directory)
        if active_version(models_dir) is None:
            promote(models_dir, directory.name)
            record_model_change(settings, directory.name, "promote", {"previous": None, "forced": False})
            click.echo(f"{directory.name} diaktifkan (belum ada model aktif) / activated (there was no active model)")
        elif active_version(models_dir) == directory.name:
            click.echo(f"{directory.name} adalah versi aktif, dibangun ulang / is the active version, rebuilt")
        else:
            file_options = _file_options(text_column, label_column, mapping) if table is not None else ""
            click.echo(_activation_hint(models_dir, directory.name, file_options))


def _activation_hint(models_dir: Path, name: str, file_options: str = "") -> str:
    """The promotion gate compares cards only when both versions were evaluated on the same data; otherwise a
    bare `promote` is refused and the gate needs a common set to score both on, so the hint names one."""
    current = active_version(models_dir)
    if not (models_dir / current / CARD_FILE).is_file() or same_evaluation(get_version(models_dir, name),
                                                                          get_version(models_dir, current)):
        return f"Aktifkan dengan / activate with: pilah models promote {name}"
    return (f"{name} dievaluasi pada data lain dari model aktif {current}; bandingkan, lalu ukur keduanya pada label "
            f"staf (--on-labels) atau pada berkas berlabel yang tidak dipakai melatih keduanya (--on FILE) / was "
            f"evaluated on other data than the active {current}; compare, then score both on the staff's labels or "
            f"on a labelled file neither model trained on:\n"
            f"  pilah models compare {current} {name}\n"
            f"  pilah models promote {name} --on-labels\n"
            f"  pilah models promote {name} --on FILE{file_options}")


def _file_options(text_column: str, label_column: str, mapping: Path | None) -> str:
    """A file scored for promotion is read like the --csv file, so its columns and mapping are likely the same."""
    options = [f"--text-column {shlex.quote(text_column)}" if text_column != "text" else "",
               f"--label-column {shlex.quote(label_column)}" if label_column != "category" else "",
               f"--mapping {shlex.quote(str(mapping))}" if mapping is not None else ""]
    return "".join(f" {option}" for option in options if option)


def _staff_labels(settings: object) -> tuple[LabelledRows, dict[str, int]]:
    """The newest category label of each report, read before training so an empty table fails fast."""
    from pilah.cli.runtime import open_database
    from pilah.learning import read_staff_labels

    factory = open_database(settings)
    try:
        with factory() as session:
            rows, found = read_staff_labels(session, Path(settings.data_dir))
    finally:
        factory.kw["bind"].dispose()
    if not found.rows_in_table:
        raise TrainingDataInvalid("Tabel labels masih kosong / the labels table is empty",
                                  hint="label ditulis saat verifikator memverifikasi atau mengoreksi laporan / "
                                       "labels are written when a verifikator verifies or corrects a report")
    click.echo(f"Label staf / staff labels: {found.rows_in_table} baris/rows, {found.superseded} digantikan label "
               f"yang lebih baru / superseded by a newer label, {len(rows.texts)} dipakai/used")
    for label, count in sorted(rows.skipped.items()):
        click.echo(f"dilewati / skipped {count} label {label!r} (di luar taksonomi / not in the taxonomy, or no "
                   "category/text)")
    for (slug, version), count in sorted(rows.narrowed.items()):
        click.echo(f"dilewati / skipped {count} label {slug!r} (ditulis sebelum taksonomi {version} mempersempit "
                   f"kategori ini; periksa ulang / written before taxonomy {version} narrowed this category; re-check)")
    return rows, {"in_table": found.rows_in_table, "superseded": found.superseded}


def _train_table(settings: object, table: Path, columns: tuple[str, str], mapping: Path | None,
                 choices: tuple[bool, bool, bool], folds: int, advance: Callable[[int], None]) -> TrainingResult:
    data_dir = Path(settings.data_dir)
    use_prior, use_seed_rows, tune = choices
    rows = read_labelled_file(table, *columns, load_mapping(mapping) if mapping else None)
    for label, count in sorted(rows.skipped.items()):
        click.echo(f"dilewati / skipped {count} baris/rows labelled {label!r} (no text or no mapping)")
    seed = load_seed(data_dir / "seed")
    clarity = train_clarity(seed)
    advance(1)
    prior_model, prior_version = None, None
    if use_prior and active_version(settings.models_dir):
        prior_model, _ = load_model(active_model_dir(settings.models_dir))
        prior_version = active_version(settings.models_dir)
    return train_from_rows(rows.texts, rows.labels, taxonomy=load_taxonomy(data_dir / "taxonomy.toml"),
                           folds=folds, source=rows.source, digest=rows.digest,
                           params={"kabupaten": settings.kabupaten}, prior=prior_model,
                           prior_version=prior_version, tune=tune, reference=seed.labelled() if use_seed_rows else None,
                           clarity=clarity, progress=advance)


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
    if card.get("reference"):
        used = "dipakai / used" if card["reference"]["used"] else "tidak dipakai / not used"
        click.echo(f"Korpus benih sebagai data tambahan / seed rows as extra training rows: {used}")
    if card.get("selection"):
        click.echo(f"Dipilih lewat validasi silang dalam / chosen by inner cross-validation: "
                   f"{card['selection']['chosen']}")
    click.echo(f"Disimpan / saved: {directory} (model.skops, card.json, confusion.png)")
