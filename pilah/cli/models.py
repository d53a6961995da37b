"""`pilah models`: list, inspect, compare, promote and roll back category model versions."""

from __future__ import annotations

from pathlib import Path

import click

from classify.errors import PromotionRefused, TrainingDataInvalid
from classify.evaluate import compare_cards, confidence_lines, score
from classify.registry import (
    active_version,
    get_version,
    list_versions,
    load_model,
    promote,
    rollback,
)
from classify.taxonomy import load_taxonomy
from classify.train import load_mapping, read_labelled_file
from pilah.cli.runtime import record_model_change
from pilah.cli.train import classify_errors


@click.group("models")
def models() -> None:
    """Versi model klasifikasi: daftar, rincian, banding, promosi, rollback. Model versions."""


@models.command("list")
@click.pass_obj
def list_command(settings: object) -> None:
    """Daftar versi model (* = aktif). List model versions (* = active)."""
    with classify_errors():
        versions = list_versions(Path(settings.models_dir))
    if not versions:
        click.echo(f"Belum ada model di {settings.models_dir} / no model versions: pilah train --seed")
        return
    for v in versions:
        data = v.card.get("training_data") or {}
        f1 = f"{v.macro_f1:.3f}" if v.macro_f1 is not None else "  -  "
        click.echo(f"{'*' if v.active else ' '} {v.name:32} macro-F1 {f1}  {data.get('rows', '?'):>6} baris/rows  "
                   f"{data.get('source', '?')}  {v.card.get('created_at', '')}")


@models.command("show")
@click.argument("version", required=False)
@click.pass_obj
def show(settings: object, version: str | None) -> None:
    """Rincian satu versi (bawaan: yang aktif). Show one version's card (default: the active one)."""
    with classify_errors():
        root = Path(settings.models_dir)
        name = version or active_version(root)
        if name is None:
            raise click.ClickException("Belum ada model aktif / no active model: pilah train --seed")
        v = get_version(root, name)
    card, metrics = v.card, v.card.get("metrics") or {}
    click.echo(f"{v.name}{' (aktif/active)' if v.active else ''}  dibuat/created {card.get('created_at')}  "
               f"git {str(card.get('git_commit'))[:12]}")
    data = card.get("training_data") or {}
    click.echo(f"data latih / training data: {data.get('source', '?')}, {data.get('rows', '?')} baris/rows, "
               f"sha256 {str(data.get('sha256', ''))[:12]}")
    libraries = ", ".join(f"{name} {version}" for name, version in (card.get("libraries") or {}).items())
    click.echo(f"taksonomi/taxonomy: {(card.get('taxonomy') or {}).get('version')}  pustaka/libraries: {libraries}")
    for label, row in (metrics.get("per_class") or {}).items():
        click.echo(f"  {label:24} P {row['precision']:.3f}  R {row['recall']:.3f}  F1 {row['f1']:.3f}  "
                   f"n {row['support']}")
    click.echo(f"  macro-F1 {_number(metrics.get('macro_f1'))}  ({metrics.get('folds')}-fold, "
               f"set {metrics.get('evaluation_set')})")
    on_labels = metrics.get("staff_labels") or {}
    if on_labels:
        click.echo(f"  macro-F1 pada baris label staf saja / on the staff-label rows alone "
                   f"{_number(on_labels.get('macro_f1'))}  ({on_labels.get('rows')} label, "
                   f"sha256 {str(on_labels.get('labels_sha256', ''))[:12]})")
    for line in confidence_lines(metrics.get("confidence") or []):
        click.echo(f"  {line}")


@models.command("compare")
@click.argument("first")
@click.argument("second")
@click.pass_obj
def compare(settings: object, first: str, second: str) -> None:
    """Bandingkan F1 per kategori dua versi. Compare two versions' per-class F1."""
    with classify_errors():
        a, b = get_version(Path(settings.models_dir), first), get_version(Path(settings.models_dir), second)
    same = a.evaluation_set is not None and a.evaluation_set == b.evaluation_set
    click.echo(f"{'':24} {first[:14]:>14} {second[:14]:>14}   selisih/diff")
    for label, left, right in compare_cards(a.card, b.card):
        diff = f"{right - left:+.3f}" if left is not None and right is not None else ""
        click.echo(f"{label:24} {_number(left):>14} {_number(right):>14}   {diff}")
    click.echo("Set evaluasi sama / same evaluation set" if same else
               "Set evaluasi berbeda: angka tidak sebanding / different evaluation sets: not comparable")


@models.command("promote")
@click.argument("version")
@click.option("--force", is_flag=True, help="Abaikan gerbang macro-F1. Skip the macro-F1 gate.")
@click.option("--on", "table", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Bandingkan kedua model pada berkas berlabel ini. Score both models on this labelled file.")
@click.option("--on-labels", is_flag=True, help="Bandingkan kedua model pada label staf di basis data, masing-masing "
              "pada label yang tidak dipelajarinya. Score both on the staff's labels, each out of sample.")
@click.option("--text-column", default="text", show_default=True, help="Kolom teks (--on). Text column.")
@click.option("--label-column", default="category", show_default=True, help="Kolom label (--on). Label column.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Pemetaan label --on ke taksonomi. Mapping of the --on labels.")
@click.pass_obj
def promote_command(settings: object, version: str, force: bool, table: Path | None, on_labels: bool,
                    text_column: str, label_column: str, mapping: Path | None) -> None:
    """Jadikan versi aktif; ditolak bila macro-F1 > 0.02 di bawah model aktif. Make a version active (gated)."""
    if table is not None and on_labels:
        raise click.UsageError("pilih satu: --on FILE atau --on-labels / choose one of --on FILE and --on-labels")
    with classify_errors():
        root = Path(settings.models_dir)
        scores = None
        if table is not None:
            scores = _scores_on(root, version, table, text_column, label_column, mapping)
        elif on_labels and not force:
            scores = _scores_on_labels(settings, root, version)
        previous = promote(root, version, force=force, scores=scores, taxonomy_slugs=_slugs(settings))
    if previous != version:
        record_model_change(settings, version, "promote", {"previous": previous, "forced": force})
    click.echo(f"{version} aktif / active" + (f" (sebelumnya/previously {previous})" if previous else ""))


@models.command("rollback")
@click.pass_obj
def rollback_command(settings: object) -> None:
    """Kembali ke versi aktif sebelumnya. Re-activate the previously active version."""
    with classify_errors():
        previous = active_version(Path(settings.models_dir))
        name = rollback(Path(settings.models_dir), taxonomy_slugs=_slugs(settings))
    record_model_change(settings, name, "rollback", {"previous": previous})
    click.echo(f"{name} aktif kembali / active again")



def _scores_on(root: Path, version: str, table: Path, text_column: str, label_column: str,
               mapping: Path | None) -> tuple[float, float] | None:
    """(candidate, active) macro-F1 on one labelled file: the gate's common evaluation set."""
    current = active_version(root)
    if current is None:
        return None
    rows = read_labelled_file(table, text_column, label_column, load_mapping(mapping) if mapping else None)
    for skipped, count in sorted(rows.skipped.items()):
        click.echo(f"dilewati / skipped {count} baris label {skipped!r} (tanpa teks, tanpa label, atau tidak ada di "
                   "pemetaan / no text, no label, or not in the mapping)")
    if not rows.texts:
        raise TrainingDataInvalid(f"Tidak ada baris yang bisa dinilai di {table.name} / no row of it can be scored",
                                  hint="periksa --text-column, --label-column dan --mapping")
    for name in (version, current):
        if (get_version(root, name).card.get("training_data") or {}).get("sha256") == rows.digest:
            raise PromotionRefused(f"{name} dilatih dari {table.name}; skornya di sana tidak jujur / {name} was "
                                   f"trained on {table.name}, so its score there would count posts it learned from",
                                   hint="pakai berkas berlabel yang tidak dipakai melatih keduanya, atau --on-labels "
                                        "/ use a labelled file neither model trained on, or --on-labels")
    candidate, _ = load_model(root / version)
    active, _ = load_model(root / current)
    scores = score(candidate, rows.texts, rows.labels), score(active, rows.texts, rows.labels)
    click.echo(f"macro-F1 pada/on {table.name}: {version} {scores[0]:.3f}, {current} {scores[1]:.3f}")
    return scores


def _scores_on_labels(settings: object, root: Path, version: str) -> tuple[float, float] | None:
    from pilah.cli.runtime import open_database
    from pilah.learning import promotion_scores

    factory = open_database(settings)
    try:
        with factory() as session:
            measured = promotion_scores(session, root, Path(settings.data_dir), version)
    finally:
        factory.kw["bind"].dispose()
    if measured is None:
        return None
    click.echo(f"macro-F1 pada {measured.rows} label staf / on {measured.rows} staff labels: {version} "
               f"{measured.scores[0]:.3f}, {active_version(root)} {measured.scores[1]:.3f}")
    return measured.scores


def _slugs(settings: object) -> list[str]:
    return load_taxonomy(Path(settings.data_dir) / "taxonomy.toml").slugs()


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
