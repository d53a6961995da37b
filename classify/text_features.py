"""TF-IDF features of normalised text, computed per distinct token and cached: the fast path.

scikit-learn's ``TfidfVectorizer`` counts every n-gram of every document in Python, which for
character n-grams costs ~100 µs a post. Here each distinct token is analysed once (its stem,
its word-feature index, the indices of its character n-grams) and a post costs one
dictionary look-up per token; counting, sublinear tf, idf and L2 normalisation are done for a
whole batch at once with scipy. Two blocks, each L2-normalised like a ``FeatureUnion`` of two
vectorisers: words (stemmed unigrams and bigrams, stopwords removed, @mentions and #hashtags
kept) and character n-grams of the (unstemmed) words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain, pairwise, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from classify.text import TOKEN_CACHE_SIZE, feature_token
from classify.text_lexicon import load_lexicon


class TokenVectorizer(TransformerMixin, BaseEstimator):
    """Word and character n-gram TF-IDF of texts already normalised by :class:`TextNormalizer`.

    Parameters
    ----------
    bigrams : bool
        Add stemmed word bigrams to the unigrams.
    char_ngrams : tuple of (int, int) or None
        Range of character n-gram lengths inside each word (padded with a space each side);
        None for words only.
    min_df : int
        Features seen in fewer training documents are dropped.
    char_weight : float
        Scale of the character block relative to the word block (each is L2-normalised first).
    """

    def __init__(
        self,
        bigrams: bool = True,
        char_ngrams: tuple[int, int] | None = (3, 5),
        min_df: int = 1,
        char_weight: float = 1.0,
    ) -> None:
        self.bigrams = bigrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.char_weight = char_weight

    def fit(self, X: Iterable[str], y: object = None) -> TokenVectorizer:
        """Learns the vocabulary and the inverse document frequencies."""
        docs = _documents(X)
        if not docs:
            raise ValueError("TokenVectorizer needs at least one document to fit")
        self._reset()
        frequency: Counter[str] = Counter()
        for doc in docs:
            frequency.update(set(self._doc_features(doc)))
        kept = sorted(f for f, n in frequency.items() if n >= self.min_df)
        words = [f for f in kept if not f.startswith("\x00")]
        chars = [f for f in kept if f.startswith("\x00")]
        self.vocabulary_ = {f: i for i, f in enumerate(words + chars)}
        self.n_word_features_ = len(words)
        df = np.array([frequency[f] for f in words + chars], dtype=float)
        self.idf_ = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
        self._reset()
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """One TF-IDF row per text; tokens unseen in training contribute nothing."""
        check_is_fitted(self, "vocabulary_")
        docs = _documents(X)
        lookups = self._lookups()
        lookups.forget_if_full()
        entry_of, bigram_of = lookups.tokens.__getitem__, lookups.bigrams.get
        word_rows, token_rows = [], []
        for doc in docs:
            entries = list(map(entry_of, doc.split()))
            stems, word_ids, token_ids = zip(*entries, strict=True) if entries else ((), (), ())
            if self.bigrams:
                word_ids += tuple(map(bigram_of, pairwise(filter(None, stems)), repeat(-1)))
            word_rows.append(word_ids)
            token_rows.append(token_ids)
        width = self.n_word_features_
        words = _tfidf_rows(word_rows, width, self.idf_[:width])
        if not self.char_ngrams:
            return words
        chars = _tfidf_rows(token_rows, len(lookups.grams), None) @ lookups.gram_matrix(self)
        return sp.hstack([words, l2_normalize(chars, copy=False) * self.char_weight], format="csr")

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        names = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return np.array([n.replace("\x00", "") for n in names], dtype=object)

    # -- analysis ------------------------------------------------------------------------------

    def _analysed(self, token: str) -> tuple[str | None, tuple[str, ...]]:
        """(word feature, character n-grams) of one token; character n-grams carry a \\x00 prefix."""
        feature = feature_token(token, load_lexicon().stopwords)
        if feature is None or feature[0] in "@#" or not self.char_ngrams:
            return feature, ()
        low, high = self.char_ngrams
        padded = f" {token} "
        grams = {padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)}
        return feature, tuple("\x00" + g for g in sorted(grams))

    def _doc_features(self, doc: str) -> list[str]:
        analysed = [self._analysed(token) for token in doc.split()]
        stems = [feature for feature, _ in analysed if feature]
        found = list(stems)
        if self.bigrams:
            found += [f"{a} {b}" for a, b in pairwise(stems)]
        found += [g for _, grams in analysed for g in grams]
        return found

    # -- lookups: derived from vocabulary_, rebuilt on demand, never saved ----------------------

    def _lookups(self) -> _Lookups:
        found = getattr(self, "_fast", None)
        if found is None:
            found = self._fast = _Lookups(self)
        return found

    def _reset(self) -> None:
        self._fast = None

    def __getstate__(self) -> dict[str, object]:
        """The vocabulary is saved as one newline-joined string: a dict of 50,000 terms costs a
        model file ten times the size in skops's per-item format."""
        state = dict(super().__getstate__())
        state.pop("_fast", None)
        vocabulary = state.pop("vocabulary_", None)
        if vocabulary is not None:
            state["vocabulary_terms_"] = "\n".join(sorted(vocabulary, key=vocabulary.__getitem__))
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        state = dict(state)
        terms = state.pop("vocabulary_terms_", None)
        if isinstance(terms, str):
            state["vocabulary_"] = {term: i for i, term in enumerate(terms.split("\n"))} if terms else {}
        super().__setstate__(state)


class _Lookups:
    """Derived from ``vocabulary_``: token → (stem, word index, token number), the character n-gram
    indices of every token number, and (stem, stem) → bigram index."""

    def __init__(self, vectorizer: TokenVectorizer) -> None:
        vocabulary = vectorizer.vocabulary_
        self.bigrams = {tuple(f.split(" ")): i for f, i in vocabulary.items() if " " in f and f[0] != "\x00"}
        self.grams: list[tuple[int, ...]] = []
        self.tokens = _TokenEntries(vectorizer, vocabulary, self.grams)

    def forget_if_full(self) -> None:
        """Bounded memory; only between batches, because token numbers index ``grams``."""
        if len(self.tokens) >= TOKEN_CACHE_SIZE:
            self.tokens.clear()
            self.grams.clear()

    def gram_matrix(self, vectorizer: TokenVectorizer) -> sp.csr_matrix:
        """Token number × character n-gram (count × idf): a post's character block is a sum of rows.

        Character counts are therefore not log-damped per post, unlike the word block; posts are
        L2-normalised afterwards, so long posts do not dominate.
        """
        start = vectorizer.n_word_features_
        lengths = np.fromiter(map(len, self.grams), dtype=np.int64, count=len(self.grams))
        columns = np.fromiter(chain.from_iterable(self.grams), dtype=np.int64, count=int(lengths.sum())) - start
        rows = np.repeat(np.arange(len(self.grams)), lengths)
        shape = (len(self.grams), len(vectorizer.vocabulary_) - start)
        return sp.csr_matrix((vectorizer.idf_[start:][columns], (rows, columns)), shape=shape)


class _TokenEntries(dict):
    """Cache of analysed tokens; a miss analyses the token once and numbers it if it has n-grams."""

    def __init__(self, vectorizer: TokenVectorizer, vocabulary: dict[str, int], grams: list[tuple[int, ...]]) -> None:
        super().__init__()
        self.vectorizer = vectorizer
        self.vocabulary = vocabulary
        self.grams = grams

    def __missing__(self, token: str) -> tuple[str | None, int, int]:
        feature, grams = self.vectorizer._analysed(token)
        index = self.vocabulary.get(feature, -1) if feature else -1
        char_ids = tuple(i for i in map(self.vocabulary.get, grams) if i is not None) if grams else ()
        number = -1
        if char_ids:
            number = len(self.grams)
            self.grams.append(char_ids)
        entry = self[token] = (feature, index, number)
        return entry


def _tfidf_rows(rows: Sequence[tuple[int, ...]], width: int, idf: np.ndarray | None) -> sp.csr_matrix:
    """Rows of column numbers (-1 = none) → CSR counts; with ``idf``: (1 + log tf) × idf, L2 per row."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    columns = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    row_of = np.repeat(np.arange(len(rows)), lengths)
    kept = columns >= 0
    matrix = sp.csr_matrix((np.ones(int(kept.sum())), (row_of[kept], columns[kept])), shape=(len(rows), width))
    if idf is None:
        return matrix
    matrix.data = (1.0 + np.log(matrix.data)) * idf[matrix.indices]
    return l2_normalize(matrix, copy=False)


def _documents(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got one string; wrap it in a list")
    return [x if isinstance(x, str) else str(x) for x in X]
