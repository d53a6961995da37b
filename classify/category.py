"""The category classifier: one scikit-learn Pipeline with calibrated probabilities.

Word features are stemmed, stopword-free tokens (robust to affixes: "kerusakan", "rusak");
character n-grams of the normalised text catch typos and slang the lexicon does not know. A
linear SVM separates the categories and is calibrated (sigmoid, cross-validated) so that
`predict_proba` can drive the abstain threshold.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted

from classify.text import normalize, tokens


def identity(values: list[str]) -> list[str]:
    return values


class CategoryClassifier(ClassifierMixin, BaseEstimator):
    """Complaint text → category slug, with calibrated probabilities and an explanation."""

    def __init__(self, C: float = 0.5, char_ngrams: tuple[int, int] = (2, 5), min_df: int = 1,
                 calibration_folds: int = 3) -> None:
        self.C = C
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.calibration_folds = calibration_folds

    def fit(self, X: Iterable[str], y: Iterable[str]) -> CategoryClassifier:
        texts, labels = list(X), np.asarray(list(y))
        if len(texts) != len(labels) or not texts:
            raise ValueError("X and y must be non-empty and of the same length")
        self.pipeline_ = self._pipeline().fit(texts, labels)
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.predict_proba(list(X))

    def predict(self, X: Iterable[str]) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def explain(self, text: str, k: int = 5) -> list[tuple[str, float]]:
        """The terms that pushed the decision: feature value × the SVMs' averaged weight for the class."""
        check_is_fitted(self, "pipeline_")
        features = self.pipeline_.named_steps["features"]
        row = features.transform([text])
        label = int(np.argmax(self.predict_proba([text])[0]))
        weights = np.mean([_class_weights(c.estimator, label) for c in
                           self.pipeline_.named_steps["model"].calibrated_classifiers_], axis=0)
        contribution = row.multiply(weights).tocsr()
        names = np.concatenate([step.named_steps["tfidf"].get_feature_names_out()
                                for _, step in features.transformer_list])
        order = np.argsort(-contribution.data)[:k]
        return [(str(names[contribution.indices[i]]).strip(), float(contribution.data[i]))
                for i in order if contribution.data[i] > 0]

    def _pipeline(self) -> Pipeline:
        words = TfidfVectorizer(analyzer=identity, preprocessor=None, tokenizer=None, min_df=self.min_df,
                                sublinear_tf=True)
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngrams, min_df=self.min_df,
                                sublinear_tf=True, max_features=200_000)
        features = FeatureUnion([
            ("words", Pipeline([("tokens", _Tokens()), ("tfidf", words)])),
            ("chars", Pipeline([("normal", _Normal()), ("tfidf", chars)])),
        ])
        model = CalibratedClassifierCV(LinearSVC(C=self.C), method="sigmoid", cv=self.calibration_folds)
        return Pipeline([("features", features), ("model", model)])


def _class_weights(svm: LinearSVC, label: int) -> np.ndarray:
    return svm.coef_[label] if svm.coef_.shape[0] > 1 else (svm.coef_[0] if label == 1 else -svm.coef_[0])


class _Tokens(BaseEstimator):
    """Stemmed tokens per text (a transformer, so the vectoriser needs no callable of its own)."""

    def fit(self, X: Iterable[str], y: object = None) -> _Tokens:
        return self

    def transform(self, X: Iterable[str]) -> list[list[str]]:
        return [tokens(str(x)) for x in X]


class _Normal(BaseEstimator):
    def fit(self, X: Iterable[str], y: object = None) -> _Normal:
        return self

    def transform(self, X: Iterable[str]) -> list[str]:
        return [normalize(str(x)) for x in X]
