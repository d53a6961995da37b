"""TF-IDF features of normalised text, computed per distinct token and cached: the fast path.

scikit-learn's ``TfidfVectorizer`` counts every n-gram of every document in Python, which for
character n-grams costs ~100 µs a post. Here each distinct token is analysed once and given a
number; a batch of posts becomes one array of token numbers (one dictionary look-up per token,
in C via ``map``), and everything after that is numpy/scipy on the whole batch: word ids,
bigram look-up (a hash table, :mod:`classify.key_index`), counts, sublinear tf, idf, L2.

Two blocks, each L2-normalised like a ``FeatureUnion`` of two vectorisers: words (stemmed
unigrams and bigrams, stopwords removed, @mentions and #hashtags kept) and character n-grams
of the (unstemmed) words. A post's character block is the sum of its tokens' rows of a
token × n-gram matrix (counts × idf), so character counts are not log-damped like the words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain, pairwise

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize as l2_normalize
from sklearn.utils.validation import check_is_fitted

from classify.key_index import KeyIndex
from classify.text import DEFAULT_KABUPATEN, TOKEN_CACHE_SIZE, feature_token
from classify.text_lexicon import load_lexicon

_GRAM = "\x00"  # prefix that keeps character n-grams apart from words in the vocabulary
_STOP, _UNKNOWN = -1, -2  # stem numbers: dropped from the bigram sequence / kept but matching nothing


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
    kabupaten : str
        Kemendagri code of the kabupaten whose place words are features as written, never stemmed.
    """

    def __init__(
        self,
        bigrams: bool = True,
        char_ngrams: tuple[int, int] | None = (4, 4),
        min_df: int = 1,
        char_weight: float = 1.0,
        kabupaten: str = DEFAULT_KABUPATEN,
    ) -> None:
        self.bigrams = bigrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.char_weight = char_weight
        self.kabupaten = kabupaten

    def fit(self, X: Iterable[str], y: object = None) -> TokenVectorizer:
        """Learns the vocabulary and the inverse document frequencies."""
        docs = _documents(X)
        if not docs:
            raise ValueError("TokenVectorizer needs at least one document to fit")
        self._fast: TokenTable | None = None
        frequency: Counter[str] = Counter()
        for doc in docs:
            frequency.update(set(self._doc_features(doc)))
        kept = sorted(f for f, n in frequency.items() if n >= self.min_df)
        words = [f for f in kept if not f.startswith(_GRAM)]
        chars = [f for f in kept if f.startswith(_GRAM)]
        self.vocabulary_ = {f: i for i, f in enumerate(words + chars)}
        self.n_word_features_ = len(words)
        df = np.array([frequency[f] for f in words + chars], dtype=float)
        self.idf_ = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
        return self

    def transform(self, X: Iterable[str]) -> sp.csr_matrix:
        """One TF-IDF row per text; tokens unseen in training contribute nothing."""
        check_is_fitted(self, "vocabulary_")
        docs = _documents(X)
        table = self.token_table()
        split = [doc.split() for doc in docs]
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        numbers = np.fromiter(map(table.numbers.__getitem__, chain.from_iterable(split)), dtype=np.int64,
                              count=int(lengths.sum()))
        words, chars = self.blocks_of_numbers(table, numbers, np.repeat(np.arange(len(docs)), lengths), len(docs))
        return words if chars is None else words + chars

    def blocks_of_numbers(self, table: TokenTable, numbers: np.ndarray, doc_of: np.ndarray,
                          n_docs: int) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
        """The two blocks :meth:`transform` adds up, of texts given as their tokens' numbers in ``table``
        and each token's post: a caller that has the numbers already (the tagger's
        :mod:`classify.post_chunks`) skips the split. The word block alone holds every word
        column's value, a quarter of a row's entries (what explanations read first)."""
        words = self._word_block(table.arrays(), numbers, doc_of, n_docs, table)
        if not self.char_ngrams:
            return words, None
        return words, l2_normalize(table.char_block(numbers, doc_of, n_docs), copy=False) * self.char_weight

    def token_table(self) -> TokenTable:
        """The table numbering the tokens seen so far. A full one is replaced (bounded memory), never
        cleared, so numbers taken from a table stay valid with that table."""
        check_is_fitted(self, "vocabulary_")
        table = getattr(self, "_fast", None)
        if table is None or len(table.numbers) >= TOKEN_CACHE_SIZE:
            table = self._fast = TokenTable(self)
        return table

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        names = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        # character n-grams shown without their padding: " jal" is the start of a word
        return np.array([n.replace(_GRAM, "").strip() for n in names], dtype=object)

    def _word_block(self, props: tuple[np.ndarray, np.ndarray], numbers: np.ndarray, doc_of: np.ndarray,
                    n_docs: int, tables: TokenTable) -> sp.csr_matrix:
        """Unigram and bigram counts → (1 + log tf) × idf → L2, columns 0 .. all features."""
        word_of, stem_of = props
        word_ids, stems = word_of[numbers], stem_of[numbers]
        rows, columns = [doc_of[word_ids >= 0]], [word_ids[word_ids >= 0]]
        if self.bigrams:
            in_sequence = stems != _STOP
            seq, seq_doc = stems[in_sequence], doc_of[in_sequence]
            pair = (seq[:-1] >= 0) & (seq[1:] >= 0) & (seq_doc[:-1] == seq_doc[1:])
            found = tables.bigram_ids(seq[:-1][pair], seq[1:][pair])
            rows.append(seq_doc[:-1][pair][found >= 0])
            columns.append(found[found >= 0])
        row, column = np.concatenate(rows), np.concatenate(columns)
        matrix = sp.csr_matrix((np.ones(len(row)), (row, column)), shape=(n_docs, len(self.vocabulary_)))
        matrix.data = (1.0 + np.log(matrix.data)) * self.idf_[matrix.indices]
        return l2_normalize(matrix, copy=False)

    # -- analysis ------------------------------------------------------------------------------

    def _analysed(self, token: str) -> tuple[str | None, tuple[str, ...]]:
        """(word feature, character n-grams) of one token; character n-grams carry the \\x00 prefix."""
        lexicon = load_lexicon(self.kabupaten)
        feature = feature_token(token, lexicon.stopwords, lexicon.places)
        if feature is None or feature[0] in "@#" or not self.char_ngrams:
            return feature, ()
        low, high = self.char_ngrams
        padded = f" {token} "
        grams = {padded[i : i + n] for n in range(low, high + 1) for i in range(len(padded) - n + 1)}
        return feature, tuple(_GRAM + g for g in sorted(grams))

    def _doc_features(self, doc: str) -> list[str]:
        analysed = [self._analysed(token) for token in doc.split()]
        stems = [feature for feature, _ in analysed if feature]
        found = list(stems)
        if self.bigrams:
            found += [f"{a} {b}" for a, b in pairwise(stems)]
        found += [g for _, grams in analysed for g in grams]
        return found

    # -- the token table: derived from vocabulary_, rebuilt on demand, never saved --------------

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
        state.setdefault("kabupaten", DEFAULT_KABUPATEN)  # saved before the parameter existed
        terms = state.pop("vocabulary_terms_", None)
        if isinstance(terms, str):
            state["vocabulary_"] = {term: i for i, term in enumerate(terms.split("\n"))} if terms else {}
        super().__setstate__(state)


class TokenTable:
    """Token → number, and per number: word index, stem number, character n-gram indices.

    Stems are numbered by their unigram index, so a bigram is the pair key ``a * n + b``, looked
    up in one hash table.
    """

    def __init__(self, vectorizer: TokenVectorizer) -> None:
        self.vectorizer = vectorizer
        self.vocabulary = vocabulary = vectorizer.vocabulary_
        self.width = len(vocabulary)
        pairs = [(vocabulary.get(a), vocabulary.get(b), i) for f, i in vocabulary.items()
                 if f[0] != _GRAM and " " in f for a, b in [f.split(" ", 1)]]
        keys = np.array([a * self.width + b for a, b, _ in pairs if a is not None and b is not None], dtype=np.int64)
        ids = np.array([i for a, b, i in pairs if a is not None and b is not None], dtype=np.int64)
        self.bigrams = KeyIndex(keys, ids)
        self.numbers = _Numbers(self)
        self.words: list[int] = []
        self.stems: list[int] = []
        self.grams: list[tuple[int, ...]] = []
        self._arrays: tuple[np.ndarray, ...] | None = None

    def add(self, token: str) -> int:
        """Analyses a token seen for the first time and gives it the next number."""
        feature, grams = self.vectorizer._analysed(token)
        word = self.vocabulary.get(feature, -1) if feature else -1
        self.words.append(word)
        self.stems.append(_STOP if feature is None else (word if word >= 0 else _UNKNOWN))
        self.grams.append(tuple([i for i in map(self.vocabulary.get, grams) if i is not None]) if grams else ())
        number = self.numbers[token] = len(self.words) - 1
        return number

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``words`` and ``stems`` as arrays."""
        return self._synced()[:2]

    def _synced(self) -> tuple[np.ndarray, ...]:
        """(words, stems, gram row starts, gram columns, gram weights) as arrays, the last three one CSR
        of all tokens' n-gram rows (idf as the weights, int32 indices as scipy keeps them); only the
        tokens added since the last call are converted."""
        done = 0 if self._arrays is None else len(self._arrays[0])
        if done == len(self.words) and self._arrays is not None:
            return self._arrays
        grams = self.grams[done:]
        lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
        columns = np.fromiter(chain.from_iterable(grams), dtype=np.int32, count=int(lengths.sum()))
        parts = (np.array(self.words[done:], dtype=np.int64), np.array(self.stems[done:], dtype=np.int64),
                 (np.cumsum(lengths) + (int(self._arrays[2][-1]) if done else 0)).astype(np.int32),
                 columns, self.vectorizer.idf_[columns])
        if not done:
            parts = (parts[0], parts[1], np.r_[np.int32(0), parts[2]], *parts[3:])
            self._arrays = parts
        else:
            self._arrays = tuple(np.concatenate([old, new]) for old, new in zip(self._arrays, parts, strict=True))
        return self._arrays

    def bigram_ids(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Column of each (first, second) stem pair, -1 where the bigram is not in the vocabulary."""
        return self.bigrams.get(first * self.width + second)

    def char_block(self, numbers: np.ndarray, doc_of: np.ndarray, n_docs: int) -> sp.csr_matrix:
        """Posts × features (only character columns filled): token counts @ every token's n-gram row.

        Both matrices are put together from arrays in CSR form, without scipy's conversion from
        coordinates: ``numbers`` are in post order, and a product adds up a row's repeated tokens."""
        _, _, starts, gram_columns, gram_weights = self._synced()
        per_post = np.zeros(n_docs + 1, dtype=np.int32)
        np.cumsum(np.bincount(doc_of, minlength=n_docs), out=per_post[1:])
        counts = sp.csr_matrix((np.ones(len(numbers)), numbers.astype(np.int32), per_post),
                               shape=(n_docs, len(starts) - 1))
        grams = sp.csr_matrix((gram_weights, gram_columns, starts), shape=(len(starts) - 1, self.width))
        return counts @ grams


class _Numbers(dict):
    """token → number; a miss (``map`` calls ``__getitem__`` in C, so hits cost no Python) adds it."""

    def __init__(self, tables: TokenTable) -> None:
        super().__init__()
        self.tables = tables

    def __missing__(self, token: str) -> int:
        return self.tables.add(token)


def _documents(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got one string; wrap it in a list")
    return [x if isinstance(x, str) else str(x) for x in X]
