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
from classify.registry import ModelVersion, load_model
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
    trained_on = (version.card.get("training_data") or {}).get("labels_sha256")
    if trained_on is None:
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
