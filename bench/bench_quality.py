"""Category quality on real complaint data (issue 3, item 8b); numbers, never run by the tests.

For each labelled CSV in ``../shared/data`` (skipped when absent; evaluation material only, never
copied into the repository):

- the stratified 5-fold macro-F1 of what ``pilah train --csv`` does (:func:`classify.train.train_from_rows`
  with the dataset's own kabupaten/kota, as an office there configures it, and the active default model
  offered as a prior and C, each chosen by inner cross-validation on the training folds only; with
  ``--seed-rows`` the seed corpus is also offered as extra lightly weighted training rows, its categories
  mapped to the dataset's with the mapping file's ``[from_taxonomy]``), next to a plain TF-IDF +
  LinearSVC on the same folds;
- the default model's zero-shot macro-F1: trained only on pilah's seed corpus, its categories
  mapped to the dataset's with ``data/mappings/<dataset>.toml`` (``[from_taxonomy]``).

The default model is models/ACTIVE (or one trained on the seed corpus when there is none).

Where a dataset's labels changed meaning over time (:data:`SHIFTED_LABELS`), the k-fold is also run
without the reports concerned and printed as a diagnostic, beside (never instead of) the target
figure: it shows how much of the gap to the target no text model can close.

With ``--fold-seeds N`` the same k-fold is repeated over N shuffles of the rows (the first is the
fixed seed every other figure uses) and the mean and its standard error are printed beside it:
on 800 rows one shuffle moves macro-F1 by about half a point, more than most changes to a model.

    python bench/bench_quality.py [--folds 5] [--fold-seeds 5] [--no-prior] [--seed-rows] [--no-tune] [--only NAME]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import classification_report, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from classify.evaluate import FOLD_SEED, cross_validate
from classify.train import load_mapping, load_seed, mapped_rows, train_from_rows, training_estimator

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
#: dataset file → (text column, label column, mapping file, target k-fold macro-F1, target zero-shot macro-F1,
#: the kabupaten/kota an office there configures, whose place words pilah train keeps whole)
DATASETS = {
    "purbalingga_lapormasbup_category.csv": ("text", "category", "purbalingga_lapormasbup.toml", 0.75, 0.60, "33.03"),
    "bandung_lapor_agency.csv": ("text", "agency", "bandung_lapor_agency.toml", 0.95, None, "32.73"),
}
#: dataset file → (reports whose label depends on when they were sent, what changed). In Kota Bandung's
#: export, street-lighting (PJU) reports go to two agencies: the few that name a year or an addressee are
#: DSDA & Bina Marga's in 2020–2021 (addressed to the DPU) and Dishub's in 2022–2023. The same complaint,
#: two labels, and most texts give neither year nor addressee.
SHIFTED_LABELS = {
    "bandung_lapor_agency.csv": (
        re.compile(r"\bpju\b|lampu (?:jalan|penerangan|pju)|penerangan jalan", re.IGNORECASE),
        "street-lighting (PJU) reports (DSDA & Bina Marga's in 2020–21, Dishub's in 2022–23)",
    ),
}


def read(path: Path, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row[text_column].strip() and row[label_column].strip()]
    return [row[text_column] for row in rows], [row[label_column].strip() for row in rows]


def default_model():
    from classify.registry import active_model_dir, load_model

    try:
        directory = active_model_dir(ROOT / "models")
        return load_model(directory)[0], directory.name
    except Exception as exc:
        from classify.taxonomy import load_taxonomy
        from classify.train import train_seed

        print(f"(no usable active model: {exc}; training one on the seed corpus)")
        result = train_seed(ROOT / "data" / "seed", load_taxonomy(ROOT / "data" / "taxonomy.toml"), folds=2)
        return result.model, "seed (trained now)"


def baseline(texts: list[str], labels: list[str], folds: int, seed: int = FOLD_SEED) -> float:
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    predicted = cross_val_predict(make_pipeline(TfidfVectorizer(), LinearSVC()), texts, labels, cv=splitter)
    return float(f1_score(labels, predicted, average="macro"))


def over_fold_seeds(texts: list[str], labels: list[str], folds: int, first: tuple[float, float], n: int, *,
                    params: dict, prior, tune: bool, reference) -> None:
    """Mean ± standard error of pilah train's and the plain baseline's k-fold macro-F1 over ``n`` shuffles."""
    extra = None if reference is None else (tuple(reference.texts), tuple(reference.labels))
    ours, plain = [first[0]], [first[1]]
    for k in range(1, n):
        estimator = training_estimator(labels, params, prior, tune, extra)
        ours.append(cross_validate(estimator, texts, labels, folds=folds, seed=FOLD_SEED + k)[0].macro_f1)
        plain.append(baseline(texts, labels, folds, FOLD_SEED + k))
        print(f"  shuffle {k + 1}/{n}: pilah train {ours[-1]:.4f}, plain {plain[-1]:.4f}", flush=True)
    for name, scores in (("pilah train", ours), ("plain TF-IDF + LinearSVC", plain)):
        mean, error = float(np.mean(scores)), float(np.std(scores, ddof=1) / np.sqrt(n))
        print(f"{name}: mean {mean:.4f} ± {error:.4f} (s.e.) over {n} shuffles, "
              f"range {min(scores):.4f}–{max(scores):.4f}")
    wins = sum(a > b for a, b in zip(ours, plain, strict=True))
    print(f"pilah train beats the baseline on {wins} of {n} shuffles")


def without_shifted(texts: list[str], labels: list[str], shifted: re.Pattern[str], what: str, *, folds: int,
                    params: dict, prior, prior_version: str, tune: bool, reference) -> None:
    """The k-fold of pilah train (as configured for the target figure) and the baseline on the rows whose
    label did not change meaning, found by keywords (a report of the kind that words it otherwise stays)."""
    kept = [i for i, text in enumerate(texts) if not shifted.search(text)]
    left_out = Counter(label for text, label in zip(texts, labels, strict=True) if shifted.search(text))
    texts, labels = [texts[i] for i in kept], [labels[i] for i in kept]
    result = train_from_rows(texts, labels, folds=folds, source="diagnostic", params=params, prior=prior,
                             prior_version=prior_version, tune=tune, reference=reference)
    print(f"diagnostic, not the target figure: without the {sum(left_out.values())} {what}, found by keywords "
          f"({dict(left_out)}), {folds}-fold macro-F1: pilah train {result.evaluation.macro_f1:.4f}, "
          f"plain TF-IDF + LinearSVC {baseline(texts, labels, folds):.4f}")


def zero_shot(model, texts: list[str], labels: list[str], mapping: dict[str, str]) -> float:
    predicted = [mapping.get(str(c), "(tidak dipetakan)") for c in model.predict(texts)]
    print(classification_report(labels, predicted, labels=sorted(set(labels)), digits=3, zero_division=0))
    return float(f1_score(labels, predicted, labels=sorted(set(labels)), average="macro", zero_division=0))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-prior", action="store_true", help="measure pilah train without the prior")
    parser.add_argument("--seed-rows", action="store_true", help="measure pilah train --seed-rows (seed corpus offered "
                        "as extra training rows)")
    parser.add_argument("--no-tune", action="store_true", help="measure pilah train without choosing C")
    parser.add_argument("--only", help="only the dataset file whose name contains this")
    parser.add_argument("--fold-seeds", type=int, default=1, help="also repeat the k-fold over this many shuffles "
                        "and print the mean (default 1: the fixed shuffle only)")
    args = parser.parse_args()
    model, name = default_model()
    print(f"default model: {name}")
    for file_name, (text_column, label_column, mapping_file, target, zero_target, kabupaten) in DATASETS.items():
        path = SHARED / file_name
        if args.only and args.only not in file_name:
            continue
        if not path.exists():
            print(f"skipped: {path} not found")
            continue
        texts, labels = read(path, text_column, label_column)
        print(f"\n== {file_name}: {len(texts)} rows, {len(set(labels))} classes")
        prior = None if args.no_prior else model
        mapping = load_mapping(ROOT / "data" / "mappings" / mapping_file, "from_taxonomy")
        seed_rows = None if not args.seed_rows else mapped_rows(load_seed(ROOT / "data" / "seed").labelled(), mapping)
        params = {"kabupaten": kabupaten}
        result = train_from_rows(texts, labels, folds=args.folds, source=file_name, params=params, prior=prior,
                                 prior_version=name, tune=not args.no_tune, reference=seed_rows)
        print(result.evaluation.report())
        if result.card.get("selection"):
            print(f"final model chose {result.card['selection']['chosen']}")
        ours, plain = result.evaluation.macro_f1, baseline(texts, labels, args.folds)
        print(f"{args.folds}-fold macro-F1: pilah train {ours:.4f} (target >= {target}), "
              f"plain TF-IDF + LinearSVC {plain:.4f}")
        if args.fold_seeds > 1:
            over_fold_seeds(texts, labels, args.folds, (ours, plain), args.fold_seeds, params=params,
                            prior=prior, tune=not args.no_tune, reference=seed_rows)
        if file_name in SHIFTED_LABELS:
            without_shifted(texts, labels, *SHIFTED_LABELS[file_name], folds=args.folds, params=params, prior=prior,
                            prior_version=name, tune=not args.no_tune, reference=seed_rows)
        score = zero_shot(model, texts, labels, mapping)
        print(f"zero-shot macro-F1 of the default model: {score:.4f}"
              + (f" (target >= {zero_target})" if zero_target else ""))
    return 0


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    sys.exit(main())
