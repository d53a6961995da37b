"""The category classifier: one scikit-learn Pipeline with calibrated probabilities.

Issue 3, item 2. normaliser → TF-IDF of stemmed words, word bigrams and character n-grams
(:class:`classify.text_features.TokenVectorizer`) → linear SVMs calibrated with a sigmoid
(cross-validated), so that ``predict_proba`` can drive the abstain threshold. A linear model
also gives the explanation the review UI shows: the terms whose weight pushed the decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from classify.text import DEFAULT_KABUPATEN, TextNormalizer
from classify.text_features import TokenVectorizer


class CategoryClassifier(ClassifierMixin, BaseEstimator):
    """Complaint text → category slug, with calibrated probabilities and an explanation.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the linear SVMs.
    class_weight : "balanced" or None
        "balanced" keeps small categories from being swallowed by large ones.
    char_ngrams : tuple of (int, int) or None
        Character n-gram lengths inside words; None for word features only.
    min_df : int
        Features seen in fewer training posts are dropped.
    char_weight : float
        Weight of the character block relative to the word block.
    calibration_folds : int
        Folds of the sigmoid calibration (fewer when a category has fewer posts).
    kabupaten : str
        Kemendagri code whose place names the normaliser protects.
    ensemble : bool
        Keep one calibrated SVM per calibration fold (True) or refit one SVM on all rows (False:
        a third of the model file and of the prediction time).
    prior : fitted CategoryClassifier, optional
        A model whose probabilities become extra features, e.g. the default model trained on
        pilah's seed corpus when training on a small labelled export: what the seed taught about
        roads, schools or KTPs carries over. Wrapped in ``FrozenEstimator`` so it is never refit.
    prior_weight : float
        Scale of the prior's probabilities relative to the TF-IDF blocks.
    reference : (texts, labels) or None
        Labelled posts from elsewhere (e.g. pilah's seed corpus, in the same labels) added to the
        training rows with ``reference_weight``: a small export borrows what the seed says about
        roads or KTPs as examples, not just as a prior's opinion. Rows whose label is not among
        the training labels are ignored, so the reference never adds a category.
    reference_weight : float
        Sample weight of each reference row (a training row weighs 1).
    """

    def __init__(
        self,
        C: float = 0.3,
        class_weight: str | None = "balanced",
        char_ngrams: tuple[int, int] | None = (4, 4),
        min_df: int = 1,
        char_weight: float = 1.0,
        calibration_folds: int = 3,
        kabupaten: str = DEFAULT_KABUPATEN,
        ensemble: bool = False,
        prior: BaseEstimator | None = None,
        prior_weight: float = 0.4,
        reference: tuple[tuple[str, ...], tuple[str, ...]] | None = None,
        reference_weight: float = 0.2,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.char_weight = char_weight
        self.calibration_folds = calibration_folds
        self.kabupaten = kabupaten
        self.ensemble = ensemble
        self.prior = prior
        self.prior_weight = prior_weight
        self.reference = reference
        self.reference_weight = reference_weight

    def fit(self, X: Iterable[str], y: Iterable[str]) -> CategoryClassifier:
        """Fits the pipeline; every category needs at least two posts (for calibration)."""
        texts, labels = _checked(X, y)
        _, counts = np.unique(labels, return_counts=True)
        folds = min(self.calibration_folds, int(counts.min()))
        if len(counts) < 2 or folds < 2:
            raise ValueError("need at least two categories with at least two posts each")
        texts, labels, weights = self._with_reference(texts, labels)
        self.pipeline_ = self.make_pipeline(folds).fit(texts, labels, model__sample_weight=weights)
        self.classes_ = self.pipeline_.classes_
        self.coef_ = _averaged_weights(self.pipeline_.named_steps["model"], len(self.classes_))
        return self

    def _with_reference(self, texts: list[str], labels: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray | None]:
        """The training rows followed by the reference rows of known labels, and their sample weights."""
        if self.reference is None:
            return texts, labels, None
        ref_texts, ref_labels = self.reference
        if len(ref_texts) != len(ref_labels):
            raise ValueError("reference must be (texts, labels) of the same length")
        known = set(labels.tolist())
        kept = [(str(t), str(c)) for t, c in zip(ref_texts, ref_labels, strict=True) if str(c) in known]
        weights = np.r_[np.ones(len(texts)), np.full(len(kept), float(self.reference_weight))]
        return texts + [t for t, _ in kept], np.asarray([*labels.tolist(), *(c for _, c in kept)], dtype=str), weights

    def make_pipeline(self, calibration_folds: int | None = None) -> Pipeline:
        """The unfitted Pipeline this classifier fits: what is deployed is exactly this object."""
        svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=0)
        model = CalibratedClassifierCV(svm, method="sigmoid", cv=calibration_folds or self.calibration_folds,
                                       ensemble=self.ensemble)
        features = TokenVectorizer(char_ngrams=self.char_ngrams, min_df=self.min_df, char_weight=self.char_weight,
                                   kabupaten=self.kabupaten)
        if self.prior is not None:
            prior = self.prior if isinstance(self.prior, FrozenEstimator) else FrozenEstimator(self.prior)
            features = FeatureUnion([("tfidf", features), ("prior", PriorScores(prior, self.prior_weight))])
        return Pipeline([("normalize", TextNormalizer(self.kabupaten)), ("features", features), ("model", model)])

    def vectorizer(self) -> TokenVectorizer:
        """The fitted TF-IDF step (inside the feature union when there is a prior)."""
        check_is_fitted(self, "pipeline_")
        features = self.pipeline_.named_steps["features"]
        return features.transformer_list[0][1] if isinstance(features, FeatureUnion) else features

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(_texts(X))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        probabilities = self.predict_proba(X)
        return self.classes_[np.argmax(probabilities, axis=1)]

    def features_of_normalized(self, normalized: Sequence[str]) -> sp.csr_matrix:
        """Feature rows of texts already normalised (the tagger normalises once for everything)."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.named_steps["features"].transform(normalized)

    def proba_of_features(self, features: sp.csr_matrix) -> np.ndarray:
        return self.pipeline_.named_steps["model"].predict_proba(features)

    def term_names(self) -> np.ndarray:
        """Feature names (the prior's columns as "~class"), computed once per loaded model, not saved."""
        names = getattr(self, "_names", None)
        if names is None:
            names = self.vectorizer().get_feature_names_out()
            if self.prior is not None:
                names = np.concatenate([names, [f"~{c}" for c in self.prior.classes_]])
            self._names = names
        return names

    def __getstate__(self) -> dict[str, object]:
        state = dict(super().__getstate__())
        state.pop("_names", None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        # versions saved before ``reference`` existed still answer get_params (and so clone and repr)
        super().__setstate__({"reference": None, "reference_weight": 0.2, **state})


def explain(model: CategoryClassifier, text: str, k: int = 5) -> list[tuple[str, float]]:
    """The terms that pushed the decision: tf-idf × the SVMs' averaged weight for the chosen class.

    Word terms (stems, bigrams, @mentions, #hashtags) come first because staff can read them;
    character n-grams are shown only when no word contributed.
    """
    check_is_fitted(model, "pipeline_")
    normalized = model.pipeline_.named_steps["normalize"].transform([text])
    features = model.features_of_normalized(normalized)
    label = int(np.argmax(model.proba_of_features(features)[0]))
    return explain_rows(model, features, np.array([label]), k)[0]


def explain_rows(
    model: CategoryClassifier, features: sp.csr_matrix, labels: np.ndarray, k: int = 5, *, weights: bool = True,
    word_features: sp.csr_matrix | None = None,
) -> list[list[tuple[str, float]]] | list[list[str]]:
    """:func:`explain` for many rows at once, given their feature rows and chosen class indices.

    Vectorised (a sort over the batch's non-zero features) because the tagger asks for every post.
    With ``weights=False`` only the terms' names, which is all the tagger keeps. ``word_features``:
    the word block of ``features`` alone (:meth:`TokenVectorizer.blocks_of_numbers`), when the
    caller has it: the same word terms from a quarter of the entries.
    """
    n_words = model.vectorizer().n_word_features_
    found: list[list[tuple[str, float]]] = [[] for _ in range(features.shape[0])]
    if word_features is None:
        rows, columns, data = _entries(_sorted(features))
        words = np.flatnonzero(columns < n_words)
        rows, columns, data = rows[words], columns[words], data[words]
    else:
        rows, columns, data = _entries(_sorted(word_features))
    weight = data * model.coef_[labels[rows], columns]
    _take_top(found, rows, weight, columns, weight > 0, k, model.term_names(), weights)
    missing = np.flatnonzero([not terms for terms in found])
    if len(missing):
        rows, columns, data = _entries(_sorted(features[missing]))
        chars = np.flatnonzero(columns >= n_words)
        rows, columns = missing[rows[chars]], columns[chars]
        weight = data[chars] * model.coef_[labels[rows], columns]
        _take_top(found, rows, weight, columns, weight > 0, k, model.term_names(), weights)
    return found


def _sorted(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Columns in order within each row, so that equal weights are ranked by column, whatever built the matrix."""
    return matrix if matrix.has_sorted_indices else matrix.sorted_indices()


def _entries(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of every stored entry, in row order."""
    return np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr)), matrix.indices, matrix.data


def _take_top(found: list[list], rows: np.ndarray, weight: np.ndarray, columns: np.ndarray,
              mask: np.ndarray, k: int, names: np.ndarray, weights: bool = True) -> None:
    """Appends each row's k strongest (name, weight), or names only: one sort for the batch, then list slicing.

    Equal weights are common (two word pairs that each occur once and weigh the same in the model),
    so equal ones keep the order of the row's entries, by column (:func:`_sorted`): a post's terms
    must not depend on the other posts of its batch, nor on how its features were put together.
    The sort key is the row above the float32 weight's bits, inverted so the strongest comes first
    (a positive float's bits order as the float does).
    """
    picked = np.flatnonzero(mask)
    if not len(picked):
        return
    strongest_first = (~weight[picked].astype(np.float32).view(np.uint32)).astype(np.int64)
    picked = picked[np.argsort((rows[picked].astype(np.int64) << 32) | strongest_first, kind="stable")]
    position = np.arange(len(picked))
    first = np.r_[True, rows[picked][1:] != rows[picked][:-1]]
    starts = np.maximum.accumulate(np.where(first, position, 0))
    picked = picked[position - starts < k]
    terms = names[columns[picked]].tolist()
    if weights:
        terms = list(zip(terms, np.round(weight[picked], 4).tolist(), strict=True))
    bounds = np.searchsorted(rows[picked], np.arange(len(found) + 1))
    for row in np.unique(rows[picked]).tolist():
        found[row].extend(terms[bounds[row] : bounds[row + 1]])


class PriorScores(TransformerMixin, BaseEstimator):
    """Another category model's probabilities as features, scaled by ``weight``.

    Parameters
    ----------
    model : fitted classifier (FrozenEstimator)
        Its ``predict_proba`` on the (normalised) texts gives the columns.
    weight : float
        Scale of the columns.
    """

    def __init__(self, model: BaseEstimator | None = None, weight: float = 0.4) -> None:
        self.model = model
        self.weight = weight

    def fit(self, X: Iterable[str], y: object = None) -> PriorScores:
        if self.model is None:
            raise ValueError("PriorScores needs a fitted model")
        check_is_fitted(self.model)
        self.n_features_out_ = len(self.model.classes_)
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        return sp.csr_matrix(self.model.predict_proba(_texts(X)) * self.weight)


def _averaged_weights(model: CalibratedClassifierCV, n_classes: int) -> np.ndarray:
    """The mean of the calibrated SVMs' weights, one row per class (binary: -w for the first class)."""
    coefs = np.mean([c.estimator.coef_ for c in model.calibrated_classifiers_], axis=0)
    return np.vstack([-coefs[0], coefs[0]]) if n_classes == 2 and coefs.shape[0] == 1 else coefs


def _texts(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got one string; wrap it in a list")
    return [x if isinstance(x, str) else str(x) for x in X]


def _checked(X: Iterable[str], y: Iterable[str]) -> tuple[list[str], np.ndarray]:
    texts = _texts(X)
    labels = np.asarray(list(y), dtype=object).astype(str)
    if len(texts) != len(labels) or not texts:
        raise ValueError(f"X and y must be non-empty and of the same length ({len(texts)} texts, {len(labels)} labels)")
    return texts, labels
