"""The chunks posts are made of, split and looked up once for every stage of the tagger.

The normaliser, the category features and the unclear detector's rules all work per
whitespace-separated chunk of a post, each with its own cache. But splitting a post and looking
its chunks up cost as much as the rest of a stage: ``split`` makes fresh strings, and each one is
hashed again in every dictionary it is looked up in. Splitting each post three times was a third
of the tagger's time. Here a batch is split once and each chunk looked up once, in one table
that gives it a number. Per number, the table holds what every stage made of the chunk, and
each stage gets its input by numpy gathers.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from classify.clarity_rules import Batch, ChunkTable
from classify.text import DEFAULT_KABUPATEN, Normaliser
from classify.text_features import TokenTable, TokenVectorizer


@dataclass(frozen=True)
class ReadBatch:
    """A batch of posts as every stage wants it: the normalised texts, their tokens' numbers in
    ``tokens`` with each token's post (the category features' input), and the rules' :class:`Batch`."""

    normalized: list[str]
    tokens: TokenTable
    token_numbers: np.ndarray
    token_doc: np.ndarray
    rules: Batch


#: Distinct chunks a :class:`PostChunks` holds before its owner starts a new one (bounded memory).
CHUNKS_KEPT = 200_000


class PostChunks(dict):
    """Chunk → number; per number the normalised chunk, its tokens' numbers in the category
    model's token table and its number in the unclear rules' chunk table.

    The table keeps the token and chunk tables it numbered against, so its numbers stay valid
    whatever else uses the models. It only grows; :meth:`full` tells the owner to start a new one.
    ``rules_kabupaten``: whose place names the unclear detector splits hashtags into (the office's,
    which need not be the one the category model was trained for and ``normaliser`` reads with).
    """

    def __init__(self, normaliser: Normaliser, vectorizer: TokenVectorizer,
                 rules_kabupaten: str = DEFAULT_KABUPATEN) -> None:
        super().__init__()
        self.normaliser = normaliser
        self.tokens = vectorizer.token_table()
        self.rules = ChunkTable(rules_kabupaten)
        # Number 0 is no chunk: it stands between posts when a batch's normalised chunks are joined
        # in one go (:meth:`_normalized`), as "\n", which no normalised text holds.
        self.normals: list[str] = ["\n"]
        self._expands: list[bool] = [False]
        self._token_numbers: list[tuple[int, ...]] = [()]
        self._rule_numbers: list[int] = [0]
        self._arrays: tuple[np.ndarray, ...] | None = None

    def full(self) -> bool:
        return len(self) >= CHUNKS_KEPT

    def __missing__(self, chunk: str) -> int:
        normal = self.normaliser.chunks[chunk]
        self.normals.append(normal)
        self._expands.append("#" in normal and " " in normal and self.normaliser.expands(normal))
        self._token_numbers.append(tuple(map(self.tokens.numbers.__getitem__, normal.split())))
        self._rule_numbers.append(self.rules[chunk])
        number = self[chunk] = len(self.normals) - 1
        return number

    def read(self, texts: Sequence[str]) -> ReadBatch:
        """The batch, each post exactly as the stages' own paths would read it (tests/classify/test_post_chunks.py)."""
        n = len(texts)
        split = list(map(str.split, texts))
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=n)
        chunks = np.fromiter(map(self.__getitem__, chain.from_iterable(split)), dtype=np.int64,
                             count=int(lengths.sum()))
        expands, empty, token_counts, token_starts, token_flat, rule_numbers = self._synced()
        chunk_doc = np.repeat(np.arange(n), lengths)
        normalized = self._normalized(chunks[~empty[chunks]], chunk_doc[~empty[chunks]], n)
        rewritten = False
        for i in np.unique(chunk_doc[expands[chunks]]).tolist():
            kept_once = self.normaliser.drop_repeated_expansions(normalized[i])
            rewritten |= kept_once != normalized[i]
            normalized[i] = kept_once
        if rewritten:  # a hashtag's words written again after it: the tokens are no longer the chunks'
            words = [text.split() for text in normalized]
            token_numbers = np.fromiter(map(self.tokens.numbers.__getitem__, chain.from_iterable(words)),
                                        dtype=np.int64)
            token_doc = np.repeat(np.arange(n), list(map(len, words)))
        else:
            per_chunk = token_counts[chunks]
            ends = np.cumsum(per_chunk)
            total = int(ends[-1]) if len(ends) else 0
            token_numbers = token_flat[np.repeat(token_starts[chunks] - (ends - per_chunk), per_chunk)
                                       + np.arange(total)]
            token_doc = np.repeat(chunk_doc, per_chunk)
        rules = Batch.of_chunks(self.rules, rule_numbers[chunks], lengths)
        return ReadBatch(normalized, self.tokens, token_numbers, token_doc, rules)

    def _normalized(self, chunks: np.ndarray, chunk_doc: np.ndarray, n: int) -> list[str]:
        """Each post's (non-empty) normalised chunks joined by spaces: all posts in one ``join``,
        number 0 between them, then cut apart at its "\n"."""
        if not n:
            return []
        between = np.cumsum(np.bincount(chunk_doc, minlength=n))[:-1]
        joined = " ".join(map(self.normals.__getitem__, np.insert(chunks, between, 0).tolist()))
        return [post.strip(" ") for post in joined.split("\n")]

    def _synced(self) -> tuple[np.ndarray, ...]:
        """(expands, empty, token count, first token position, token numbers of all chunks in a row,
        rule chunk number) as arrays; only the chunks added since the last call are converted."""
        done = 0 if self._arrays is None else len(self._arrays[0])
        if self._arrays is not None and done == len(self.normals):
            return self._arrays
        tokens = self._token_numbers[done:]
        counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
        offset = len(self._arrays[4]) if done else 0
        empty = np.fromiter(map(operator.not_, self.normals[done:]), dtype=bool, count=len(tokens))
        parts = (np.array(self._expands[done:], dtype=bool), empty, counts, np.cumsum(counts) - counts + offset,
                 np.fromiter(chain.from_iterable(tokens), dtype=np.int64, count=int(counts.sum())),
                 np.array(self._rule_numbers[done:], dtype=np.int64))
        if done:
            parts = tuple(np.concatenate([old, new]) for old, new in zip(self._arrays, parts, strict=True))
        self._arrays = parts
        return parts
