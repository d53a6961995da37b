"""The batch paths of the tagger give, post for post, what the per-post functions give.

``Tagger.tag_many`` scans a whole batch at once for places and personal data, numbers the unclear
detector's chunks and words, and skips the verdict objects; these tests run a
few thousand generated posts (the seed corpus varied the way social media varies it: greetings,
handles, hashtags, RT numbers, capitals, emoji, apostrophes, line breaks, personal data, geo hints)
through both paths.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from classify.category import explain_rows
from classify.clarity_rules import Batch, words_of
from classify.location import LocationTagger
from classify.pii import find_pii, find_pii_many, mask_pii
from classify.tagger import Tagger
from classify.text import normalizer_for

HINTS = [None] * 8 + ["18.01.06", "18.01", "18.71", "Kalianda, Lampung Selatan", "Bandar Lampung", "xyz", ""]


@pytest.fixture(scope="module")
def hints(varied_posts: list[str]) -> list[str | None]:
    rng = random.Random(8)
    return [rng.choice(HINTS) for _ in varied_posts]


@pytest.fixture(scope="module")
def tagger(tiny_version: Path) -> Tagger:
    return Tagger.load(tiny_version)


def test_personal_data_of_a_batch_is_that_of_each_post(varied_posts: list[str]) -> None:
    assert find_pii_many(varied_posts) == [find_pii(text) for text in varied_posts]
    assert sum(map(bool, find_pii_many(varied_posts))) > 100  # the generated posts do hold personal data
    assert find_pii_many([]) == [] and find_pii_many(["", "a@b.co", ""]) == [[], find_pii("a@b.co"), []]


def test_places_of_a_batch_are_those_of_each_post(varied_posts: list[str], hints: list[str | None]) -> None:
    location = LocationTagger().fit()
    one_by_one = [location.tag(text, hint) for text, hint in zip(varied_posts, hints, strict=True)]
    assert location.tag_many(varied_posts, hints) == one_by_one
    assert location.tag_many(varied_posts) == [location.tag(text) for text in varied_posts]
    assert location.tag_many([]) == []


def test_reasons_agree_with_the_verdicts_and_batches_with_the_rules(tagger: Tagger, varied_posts: list[str]) -> None:
    clarity = tagger.clarity
    assert clarity.reasons_many(varied_posts) == [verdict.reasons for verdict in clarity.assess_many(varied_posts)]
    batch = Batch.of(varied_posts)
    assert batch.flat == [word for text in varied_posts for word in words_of(text).words]
    per_post = [len(words_of(t).words) for t in varied_posts]
    np.testing.assert_array_equal(batch.doc, np.repeat(np.arange(len(varied_posts)), per_post))
    rows = list(range(3, len(varied_posts), 7))
    subset, alone = batch.subset(rows), Batch.of([varied_posts[i] for i in rows])
    assert subset.n == alone.n and subset.flat == alone.flat
    for name in ("doc", "bits", "marks", "linked"):
        np.testing.assert_array_equal(getattr(subset, name), getattr(alone, name))


def _reference(tagger: Tagger, texts: list[str], hints: list[str | None]) -> list[dict[str, object]]:
    """What tag_many gave before its batch paths: per post places, personal data and verdicts."""
    normalized = tagger.category.pipeline_.named_steps["normalize"].transform(texts)
    features = tagger.category.features_of_normalized(normalized)
    probabilities = tagger.category.proba_of_features(features)
    best = probabilities.argmax(axis=1)
    terms = explain_rows(tagger.category, features, best, tagger.n_terms)
    out = []
    for i, (text, hint, verdict) in enumerate(zip(texts, hints, tagger.clarity.assess_many(texts), strict=True)):
        place = tagger.location.tag(text, hint)
        spans = find_pii(text)
        confidence = float(probabilities[i, best[i]])
        out.append({
            "category": None if verdict.unclear else str(tagger.category.classes_[best[i]]),
            "category_confidence": round(confidence, 4),
            "category_terms": tuple(t for t, _ in terms[i]),
            "abstained": not verdict.unclear and confidence < tagger.abstain_below,
            "kecamatan_code": place.kecamatan.code if place.kecamatan else None,
            "desa_code": place.desa.code if place.desa else None,
            "location_confidence": place.confidence,
            "location_span": place.matched,
            "outside_kabupaten": place.outside_kabupaten,
            "unclear": verdict.unclear,
            "unclear_reasons": verdict.reasons,
            "pii_kinds": tuple(sorted({s.kind for s in spans})),
            "masked_text": mask_pii(text) if spans else text,
            "normalized_text": normalizer_for(tagger.category.kabupaten).normalize(mask_pii(text)) if spans
            else normalized[i],
        })
    return out


def test_tag_many_gives_what_the_per_post_path_gives(tagger: Tagger, varied_posts: list[str],
                                                     hints: list[str | None]) -> None:
    for start in range(0, len(varied_posts), 1000):  # explanations are ranked within a batch: compare batch to batch
        texts, batch_hints = varied_posts[start : start + 1000], hints[start : start + 1000]
        got = tagger.tag_many(texts, batch_hints)
        want = _reference(tagger, texts, batch_hints)
        assert [{key: getattr(t, key) for key in w} for t, w in zip(got, want, strict=True)] == want


def test_an_office_elsewhere_gets_what_its_per_post_path_gives(tiny_version: Path, varied_posts: list[str]) -> None:
    """Purbalingga (33.03): hashtags split into its place names on the batch path as on assess_many's."""
    tagger = Tagger.load(tiny_version, kabupaten="33.03")
    rng = random.Random(10)
    tags = ["#banjirkejobong", "#JalanRusakBukateja", "#sampahkutasari", "#LampungSelatan", "#jalanrusak"]
    texts = [f"{post} {rng.choice(tags)}" for post in varied_posts[:600]] + ["Min #banjirkejobong"]
    assert tagger.clarity.kabupaten == "33.03"
    got = tagger.tag_many(texts)
    want = _reference(tagger, texts, [None] * len(texts))
    assert [{key: getattr(t, key) for key in w} for t, w in zip(got, want, strict=True)] == want
    assert got[-1].unclear_reasons != ("greeting_only",)


def test_a_posts_explanation_does_not_depend_on_its_batch(tagger: Tagger, varied_posts: list[str]) -> None:
    """Terms of equal weight are common (word pairs seen once); their order must be the post's own."""
    shuffled = random.Random(9).sample(varied_posts[:600], 600)
    in_order = dict(zip(varied_posts[:600], tagger.tag_many(varied_posts[:600]), strict=True))
    in_another = dict(zip(shuffled, tagger.tag_many(shuffled), strict=True))
    alone = {text: tagger.tag(text) for text in varied_posts[:150]}
    assert all(in_another[text].category_terms == in_order[text].category_terms for text in shuffled)
    assert all(alone[text].category_terms == in_order[text].category_terms for text in alone)
