"""Unclear (tidak jelas) detector: posts nobody can act on, each flag with a reason code.

Rules (:mod:`classify.clarity_rules`) decide greeting-only, too-short, mentions/links-only and
spam posts; a small linear model (word TF-IDF plus the lexicons' counts of problem, positive,
topic, greeting and spam words; logistic regression) decides whether the rest contain a
complaint at all. Trained on labelled posts (``y``: 1 = unclear, 0 = clear), e.g. the seed
corpus's ``tidak_jelas.csv`` against its category files; the model sees only the posts the
rules leave to it. With ``reasons`` (the seed's ``unclear_reason``) a second model names the
reason of a post the first one flags.

Predictions run a batch at a time (:class:`classify.clarity_rules.Batch`): the rules, the lexicon
counts and the word TF-IDF are computed for all posts at once from cached per-chunk and per-word
look-ups, then handed to the fitted logistic regressions; the result equals the pipelines' own
``predict_proba`` (tested), at a fraction of the cost. The pipelines read as the default kabupaten
does; a detector with another ``kabupaten`` differs from them only where a hashtag splits into that
kabupaten's place names.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from classify.clarity_lexicon import QUESTION_BIT, TOPIC_FLAG
from classify.clarity_rules import Batch, cue_counts, rule_reasons, words_of
from classify.text import DEFAULT_KABUPATEN

#: Reasons only the rules give: rows labelled so teach the model nothing (an advert the spam rule lets
#: through would teach it that "hub wa 0812…", which complaints write too, means unclear).
RULE_ONLY_REASONS = frozenset({"spam"})
REASONS = ("greeting_only", "too_short", "no_complaint", "spam", "off_topic", "mentions_only", "question")
#: What the model may say of a post the rules let through: the other codes are the rules' findings
#: (a greeting, a count of words, spam words, handles and links), which the rules already checked.
#: The rules may also find no complaint: in a report of an office's response (``reports_response``).
#: "question" refines the model's reasons (:func:`asks_about_a_service`); no training row is labelled so.
MODEL_REASONS = ("no_complaint", "off_topic")
#: The unclear probability reported for a post a rule flagged: rules are near-certain, not certain.
RULE_SCORE = 0.97

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"@\w+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Clarity:
    """Whether a post is unclear, why (reason codes from :data:`REASONS`), and P(unclear)."""

    unclear: bool
    reasons: tuple[str, ...]
    score: float


def prepare(text: str) -> str:
    """Lowercase, with links, @mentions and numbers reduced to one token each (they carry no topic)."""
    text = _URL.sub(" httpurl ", text.lower())
    return _DIGITS.sub("0", _MENTION.sub(" @user ", text))


def word_tokens(text: str) -> list[str]:
    """The words the rules already split out (cached), so the word features cost no second tokenising."""
    return list(words_of(text).words)


class CueFeatures(TransformerMixin, BaseEstimator):
    """Lexicon evidence: problem, positive, topic, greeting and spam words (counts and shares), handles,
    links and question marks. Length itself is left out: the rules already judge short posts."""

    def fit(self, X: Iterable[str], y: object = None) -> CueFeatures:
        self.n_features_out_ = _N_CUES
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        texts = list(X)
        return cue_matrix(texts, Batch.of(texts))


_N_CUES = 9


def cue_matrix(texts: Sequence[str], batch: Batch) -> np.ndarray:
    """:class:`CueFeatures` rows of a batch, computed column by column over the whole batch."""
    if not texts:
        return np.zeros((0, _N_CUES))
    problem, positive, topic, greeting, spam, words = batch.cue_counts().T
    marks = batch.marks
    questions = np.fromiter((t.count("?") for t in texts), dtype=np.int64, count=len(texts))
    share = 1.0 / (words + 1)
    counts = np.column_stack([problem, positive, topic, greeting, spam, marks, questions])
    return np.column_stack([np.log1p(counts), problem * share, positive * share])


def _cue_row(text: str) -> tuple[float, ...]:
    """One post's :class:`CueFeatures` row, word by word: the reference :func:`cue_matrix` must agree with."""
    seen = words_of(text)
    problem, positive, topic, greeting, spam, words = cue_counts(seen)
    share = 1.0 / (words + 1)
    counts = (problem, positive, topic, greeting, spam, seen.handles + seen.links, text.count("?"))
    return (*(math.log1p(c) for c in counts), problem * share, positive * share)


class ClarityDetector(ClassifierMixin, BaseEstimator):
    """Flags unclear posts: rules first, then a linear model for "is there a complaint here".

    Parameters
    ----------
    threshold : float
        P(unclear) at or above which a post the rules let through is flagged.
    min_words : int
        Posts with fewer words (besides greetings and handles) are ``too_short`` unless they
        name a problem in at least two words ("jalan rusak").
    C : float
        Inverse regularisation strength of the logistic regression.
    char_ngrams : bool
        Add character 2-4-gram features: more robust to spelling, several times slower.
    kabupaten : str
        Kemendagri code whose place names a hashtag may be split into when posts are read
        (:func:`classify.clarity_rules.words_of`): "#banjirkejobong" names a flood only to a reader
        who knows Kejobong. :meth:`classify.tagger.Tagger.load` sets the office's. The model's own
        word features are learnt as the default kabupaten reads its training posts.
    """

    def __init__(self, threshold: float = 0.5, min_words: int = 3, C: float = 1.0, char_ngrams: bool = False,
                 kabupaten: str = DEFAULT_KABUPATEN) -> None:
        self.threshold = threshold
        self.min_words = min_words
        self.C = C
        self.char_ngrams = char_ngrams
        self.kabupaten = kabupaten

    def fit(self, X: Iterable[str], y: Sequence[int], reasons: Sequence[str] | None = None) -> ClarityDetector:
        """Learns P(unclear); with ``reasons`` (a code per row, "" for clear ones) also no_complaint vs off_topic."""
        texts, labels = _checked(X, y)
        self.classes_ = np.array([0, 1])
        # The model learns only what the rules leave to it, so that "short" does not become its notion of unclear.
        open_rows = [i for i, text in enumerate(texts) if not rule_reasons(words_of(text, self.kabupaten),
                                                                          self.min_words)
                     and (reasons is None or reasons[i] not in RULE_ONLY_REASONS)]
        if len(set(labels[open_rows].tolist())) < 2:
            open_rows = list(range(len(texts)))
        kept = [texts[i] for i in open_rows]
        self.model_ = self._pipeline().fit(kept, labels[open_rows])
        kept_reasons = None if reasons is None else [reasons[i] for i in open_rows]
        if reasons is not None and len(reasons) != len(texts):
            raise ValueError(f"reasons has {len(reasons)} rows, X has {len(texts)}")
        self.reason_model_ = self._reason_model(kept, kept_reasons)
        return self

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Columns P(clear), P(unclear); a post a rule flags gets at least :data:`RULE_SCORE`."""
        texts = _texts(X)
        check_is_fitted(self, "model_")
        batch = Batch.of(texts, self.kabupaten)
        unclear = self._proba(self.model_, texts, batch)[:, 1]
        ruled = np.array([bool(r) for r in batch.rule_reasons(self.min_words)], dtype=bool)
        unclear = np.where(ruled, np.maximum(unclear, RULE_SCORE), unclear)
        return np.column_stack([1.0 - unclear, unclear])

    def predict(self, X: Iterable[str]) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= self.threshold).astype(int)

    def assess(self, text: str) -> Clarity:
        """One post's verdict with its reason codes."""
        return self.assess_many([text])[0]

    def assess_many(self, X: Iterable[str]) -> list[Clarity]:
        """Verdicts for many posts at once (one model call: much faster than :meth:`assess` in a loop)."""
        ruled, scores, guessed = self._judged(_texts(X))
        return [_verdict(ruled[i], score, guessed.get(i)) for i, score in enumerate(scores)]

    def reasons_many(self, X: Iterable[str], batch: Batch | None = None) -> list[tuple[str, ...]]:
        """The reason codes of :meth:`assess_many`'s verdicts, and only them (empty: the post is clear);
        what a batch of posts needs, without the cost of a verdict object per post. ``batch``: the
        posts' :class:`Batch` (read for :attr:`kabupaten`) when the caller has it already."""
        ruled, _, guessed = self._judged(_texts(X), batch)
        for i, reason in guessed.items():
            ruled[i] = (reason,)
        return ruled

    def _judged(self, texts: list[str],
                batch: Batch | None = None) -> tuple[list[tuple[str, ...]], list[float], dict[int, str]]:
        """(rule reasons, P(unclear) of the model, the model's reason for each post it flagged by index)."""
        check_is_fitted(self, "model_")
        if batch is None:
            batch = Batch.of(texts, self.kabupaten)
        elif batch.n != len(texts):
            raise ValueError(f"a batch of {batch.n} posts for {len(texts)} texts")
        scores = self._proba(self.model_, texts, batch)[:, 1].tolist()
        ruled = batch.rule_reasons(self.min_words)
        flagged = [i for i, score in enumerate(scores) if not ruled[i] and score >= self.threshold]
        reasons = self._model_reasons([texts[i] for i in flagged], batch.subset(flagged))
        return ruled, scores, dict(zip(flagged, reasons, strict=True))

    def _model_reasons(self, texts: list[str], batch: Batch) -> list[str]:
        """Why the model flagged each post: the reason model's guess, or from the lexicon without one."""
        if not texts:
            return []
        model = None if self.reason_model_ is None else self.reason_model_.named_steps["model"]
        allowed = [] if model is None else [i for i, c in enumerate(model.classes_) if c in MODEL_REASONS]
        if not allowed:
            guessed = ["no_complaint" if topic else "off_topic" for topic in batch.count(TOPIC_FLAG).tolist()]
        else:
            proba = model.predict_proba(self._features(self.reason_model_, texts, batch))[:, allowed]
            guessed = [str(model.classes_[allowed[i]]) for i in proba.argmax(axis=1)]
        asking = asks_about_a_service(texts, batch)
        return ["question" if asks else reason for reason, asks in zip(guessed, asking.tolist(), strict=True)]

    def _proba(self, pipeline: Pipeline, texts: list[str], batch: Batch) -> np.ndarray:
        """``pipeline.predict_proba(texts)``, with the features built from ``batch``'s counts."""
        if not texts:
            return np.zeros((0, 2))
        return pipeline.named_steps["model"].predict_proba(self._features(pipeline, texts, batch))

    def _features(self, pipeline: Pipeline, texts: list[str], batch: Batch) -> sp.csr_matrix:
        """What the pipeline's feature union gives for ``texts``, the word and cue blocks computed
        for the whole batch at once (the union's own path costs a Python loop per post and word)."""
        union = pipeline.named_steps["features"]
        if union.transformer_weights:
            return sp.csr_matrix(union.transform(texts))
        blocks = []
        for name, step in union.transformer_list:
            if isinstance(step, CueFeatures):
                blocks.append(sp.csr_matrix(cue_matrix(texts, batch)))
            elif name == "words" and _plain_word_tfidf(step):
                blocks.append(self._word_block(step, batch))
            else:
                blocks.append(sp.csr_matrix(step.transform(texts)))
        return sp.hstack(blocks, format="csr")

    def _word_block(self, vectorizer: TfidfVectorizer, batch: Batch) -> sp.csr_matrix:
        """TF-IDF of the batch's words: one dictionary look-up per word, counts and weights in scipy."""
        ids = batch.columns(vectorizer.vocabulary_)
        known = ids >= 0
        shape = (batch.n, len(vectorizer.vocabulary_))
        matrix = sp.csr_matrix((np.ones(int(known.sum())), (batch.doc[known], ids[known])), shape=shape)
        matrix.sum_duplicates()
        if vectorizer.sublinear_tf:
            matrix.data = 1.0 + np.log(matrix.data)
        matrix.data *= vectorizer.idf_[matrix.indices]
        return l2_normalize(matrix, copy=False)

    def __getstate__(self) -> dict[str, object]:
        state = dict(super().__getstate__())
        state.pop("_lookups", None)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        """Detectors saved before ``kabupaten`` existed read as the default kabupaten, as they did."""
        super().__setstate__({"kabupaten": DEFAULT_KABUPATEN, **state})

    def _pipeline(self) -> Pipeline:
        parts = [("words", TfidfVectorizer(analyzer=word_tokens, sublinear_tf=True)), ("cues", CueFeatures())]
        if self.char_ngrams:
            chars = TfidfVectorizer(preprocessor=prepare, analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
            parts.append(("chars", chars))
        model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
        return Pipeline([("features", FeatureUnion(parts)), ("model", model)])

    def _reason_model(self, texts: list[str], reasons: Sequence[str] | None) -> Pipeline | None:
        if reasons is None:
            return None
        rows = [(t, r) for t, r in zip(texts, reasons, strict=True) if r in REASONS]
        if len({r for _, r in rows}) < 2:
            return None
        return self._pipeline().fit([t for t, _ in rows], [r for _, r in rows])


def asks_about_a_service(texts: Sequence[str], batch: Batch) -> np.ndarray:
    """Per post: whether it asks something ("?" or a word such as apakah, syarat, prosedur) and names
    a public service. Of a post with no complaint in it, such a question ("syarat bikin akta anak
    apa saja?", "kapan jadwal posyandu?") is what SP4N-LAPOR! calls a request for information:
    an office answers it, so staff should read "question", not just "no complaint"."""
    marked = np.fromiter(("?" in text for text in texts), dtype=bool, count=len(texts))
    return (marked | (batch.count(QUESTION_BIT) > 0)) & (batch.count(TOPIC_FLAG) > 0)


def _plain_word_tfidf(step: object) -> bool:
    """A word TF-IDF of the rules' words whose weighting :meth:`ClarityDetector._word_block` reproduces."""
    return (isinstance(step, TfidfVectorizer) and step.analyzer is word_tokens and step.norm == "l2"
            and step.use_idf and not step.binary and hasattr(step, "idf_"))


def _verdict(ruled: tuple[str, ...], score: float, guessed: str | None) -> Clarity:
    if ruled:
        return Clarity(True, ruled, round(max(score, RULE_SCORE), 3))
    if guessed is None:
        return Clarity(False, (), round(score, 3))
    return Clarity(True, (guessed,), round(score, 3))


def _texts(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got one string; wrap it in a list")
    texts = list(X)
    bad = next((t for t in texts if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"texts must be str, got {type(bad).__name__}")
    return texts


def _checked(X: Iterable[str], y: Sequence[int]) -> tuple[list[str], np.ndarray]:
    texts = _texts(X)
    labels = np.asarray(y)
    if labels.shape != (len(texts),):
        raise ValueError(f"y must have one label per text: {labels.shape} for {len(texts)} texts")
    if not set(np.unique(labels).tolist()) <= {0, 1} or len(np.unique(labels)) < 2:
        raise ValueError("y must hold both labels 0 (clear) and 1 (unclear), and nothing else")
    return texts, labels.astype(int)
