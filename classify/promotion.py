"""The promotion gate's common ground when two cards were evaluated on different data: the staff's labels.

A model retrained from the verifikators' labels is k-folded over seed and label rows together, so its card
is never comparable with the seed model's, and the gate would refuse every retrained model unless an analyst
had a labelled file that neither model saw. The labels themselves are that file, read out of sample: a model
that never trained on them is scored on them directly, and a model trained on exactly these labels brings its
own out-of-fold figure on the label rows (``metrics.staff_labels`` on its card). A model trained on the labels
as they were before the latest verifications has no honest figure on today's labels, and the gate says so.
"""

from __future__ import annotations

from classify.errors import PromotionRefused
from classify.evaluate import score
from classify.registry import CARD_FILE, ModelVersion, load_model, read_card
from classify.train import LabelledRows


def staff_label_scores(candidate: ModelVersion, active: ModelVersion, labels: LabelledRows) -> tuple[float, float]:
    """(candidate, active) macro-F1 on the staff's labels, each measured on posts the model did not learn from;
    PromotionRefused saying why when one of them cannot be measured so."""
    if not labels.texts:
        raise PromotionRefused("Belum ada label staf untuk membandingkan / no staff labels to compare on",
                               hint="label ditulis saat verifikator memverifikasi laporan / labels are written "
                                    "when reports are verified")
    return _held_out_score(candidate, labels), _held_out_score(active, labels)


def _held_out_score(version: ModelVersion, labels: LabelledRows) -> float:
    if version.labels_learned is None:
        prior = _prior_that_learned_labels(version)
        if prior is not None:
            raise PromotionRefused(
                f"{version.name} memakai {prior} sebagai prior, dan {prior} dilatih dari label staf; skornya pada "
                f"label itu tidak jujur / {version.name} builds on {prior}, which learned from the staff's labels, "
                "so its score on them would count posts it learned from",
                hint="ukur pada berkas berlabel yang tidak dipakai melatih keduanya (--on FILE), atau --force / "
                     "score both on a labelled file neither trained on, or --force")
        model, _ = load_model(version.directory)
        return score(model, labels.texts, labels.labels)
    own = (version.card.get("metrics") or {}).get("staff_labels") or {}
    if own.get("labels_sha256") == labels.digest and own.get("macro_f1") is not None:
        return float(own["macro_f1"])
    raise PromotionRefused(
        f"{version.name} dilatih dari label staf sebelum verifikasi terakhir; skornya pada label sekarang tidak "
        f"jujur karena sebagian sudah dipelajarinya / {version.name} was trained on the staff's labels as they "
        "were before the latest verifications, so its score on today's labels would count posts it learned from",
        hint="latih ulang dari label sekarang (pilah train --labels), atau ukur pada berkas berlabel yang tidak "
             "dipakai melatih keduanya (--on FILE), atau --force / retrain on today's labels, or score both on a "
             "labelled file neither trained on, or --force")


def _prior_that_learned_labels(version: ModelVersion) -> str | None:
    """The version, down the chain of priors this model's features use, that learned from the staff's labels
    (a model trained with ``pilah train --csv`` uses the active model as a prior); an unknown prior is taken
    to have learned them, as nothing says it did not."""
    prior = version.card.get("prior") or {}
    if not prior.get("used"):
        return None
    name = str(prior.get("version") or "?")
    directory = version.directory.parent / name
    if not (directory / CARD_FILE).is_file():
        return name
    earlier = ModelVersion(name, directory, read_card(directory))
    if earlier.labels_learned:
        return name
    return _prior_that_learned_labels(earlier)
