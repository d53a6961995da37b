"""The composite tagger: one call gives category, place, clarity and personal data."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.frozen import FrozenEstimator

from classify.category import CategoryClassifier
from classify.pii import find_pii
from classify.tagger import Tagger, Tagging
from classify.text import normalize


@pytest.fixture(scope="module")
def tagger(tiny_version: Path) -> Tagger:
    return Tagger.load(tiny_version, kabupaten="18.01", abstain_below=0.5)


def test_a_complaint_gets_category_place_and_terms(tagger: Tagger) -> None:
    tagging = tagger.tag("Jln rusak parahhh berlubang di ds. Jatimulyo kec. Jati Agung, tlg diperbaiki")
    assert isinstance(tagging, Tagging)
    assert tagging.category == "infrastruktur" and not tagging.unclear
    assert tagging.kecamatan_code == "18.01.13" and tagging.desa_name == "Jati Mulyo"
    assert "rusak" in tagging.category_terms or "jalan" in tagging.category_terms
    assert tagging.normalized_text.startswith("jalan rusak parah")
    assert tagger.model_version == tagger.version and tagger.version.startswith("seed-")


def test_a_greeting_is_unclear_and_has_no_category(tagger: Tagger) -> None:
    tagging = tagger.tag("assalamualaikum min")
    assert tagging.unclear and tagging.unclear_reasons == ("greeting_only",)
    assert tagging.category is None and not tagging.abstained
    assert tagging.category_guess in tagger.category.classes_  # kept for a verifikator who finds a complaint


def test_a_clear_post_guesses_the_category_it_is_given(tagger: Tagger) -> None:
    tagging = tagger.tag("Jln rusak parahhh berlubang di ds. Jatimulyo kec. Jati Agung, tlg diperbaiki")
    assert tagging.category_guess == tagging.category == "infrastruktur"


def test_personal_data_is_masked_everywhere(tagger: Tagger) -> None:
    tagging = tagger.tag("ktp belum jadi, NIK saya 1801012345670001 hp 081234567890")
    assert tagging.pii_kinds == ("nik", "phone")
    assert "1801012345670001" not in tagging.masked_text
    assert "1801012345670001" not in tagging.normalized_text and "081234567890" not in tagging.normalized_text


def test_look_alike_digits_are_masked_before_the_normaliser_folds_them(tagger: Tagger) -> None:
    posts = ["ktp belum jadi NIK １８０１０１２３４５６７０００１", "hub hp 0812\u200b3456\u200b7890 ya min"]
    for tagging in tagger.tag_many(posts):
        assert tagging.pii_kinds
        assert find_pii(tagging.masked_text) == [] and find_pii(tagging.normalized_text) == []


def test_geo_hint_wins_and_outside_places_are_flagged(tagger: Tagger) -> None:
    assert tagger.tag("lampu jalan mati", geo_hint="18.01.06").kecamatan_code == "18.01.06"
    assert tagger.tag("jalan rusak di Rajabasa, Bandar Lampung").outside_kabupaten


def test_tag_many_keeps_order_and_checks_hints(tagger: Tagger) -> None:
    texts = ["puskesmas tutup siang", "ktp hilang", "jalan berlubang"]
    assert [t.category for t in tagger.tag_many(texts)] == [tagger.tag(t).category for t in texts]
    assert tagger.tag_many([]) == []
    with pytest.raises(ValueError):
        tagger.tag_many(texts, [None])


def test_low_confidence_abstains(tiny_version: Path) -> None:
    strict = Tagger.load(tiny_version, abstain_below=0.999)
    tagging = strict.tag("tolong dibantu masalah di desa kami")
    assert tagging.abstained and tagging.category is not None  # the best guess stays visible


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_tagging_never_crashes_on_arbitrary_text(tagger: Tagger, text: str) -> None:
    tagging = tagger.tag(text)
    assert 0.0 <= tagging.category_confidence <= 1.0
    assert tagging.normalized_text == normalize(tagging.masked_text)  # personal data never reaches it
    assert tagger.tag_many([text, text]) == [tagging, tagging]


def test_the_fast_tagging_constructor_builds_an_equal_frozen_tagging(tagger: Tagger) -> None:
    tagging = tagger.tag("lampu jalan mati di desa jati mulyo, hp 081234567890")
    rebuilt = Tagging(**{field.name: getattr(tagging, field.name) for field in fields(Tagging)})
    assert rebuilt == tagging and hash(rebuilt) == hash(tagging)
    assert vars(tagging) == vars(rebuilt)  # no field missing, none extra
    with pytest.raises(FrozenInstanceError):
        tagging.category = "sosial"  # type: ignore[misc]


def test_a_model_with_a_prior_is_read_stage_by_stage(tagger: Tagger, tiny_model: CategoryClassifier,
                                                     tiny_rows: tuple[list[str], list[str]]) -> None:
    """A model trained on an export with the seed model as a prior has more than token features."""
    texts, labels = tiny_rows
    with_prior = CategoryClassifier(prior=FrozenEstimator(tiny_model)).fit(texts, labels)
    composite = Tagger(with_prior, tagger.clarity, tagger.location)
    posts = ["Jln rusak berlubang di Natar", "ktp belum jadi sudah 3 bulan", "assalamualaikum min"]
    got = composite.tag_many(posts)
    assert composite._post_chunks() is None
    assert [t.category for t in got] == [*with_prior.predict(posts[:2]), None]
    assert got[0].normalized_text == "jalan rusak berlubang di natar" and got[0].kecamatan_name == "Natar"
    assert got[2].unclear_reasons == ("greeting_only",)


@pytest.mark.parametrize("with_prior", [False, True])
def test_the_unclear_rules_read_hashtags_with_the_offices_place_names(
        tiny_version: Path, tiny_model: CategoryClassifier, tiny_rows: tuple[list[str], list[str]],
        with_prior: bool) -> None:
    """A Purbalingga office's "#banjirkejobong" names a flood in its kecamatan Kejobong, whichever
    kabupaten the category model was trained for and whichever path the tagger reads the post by."""
    post = "Min #banjirkejobong"
    lampung_selatan = Tagger.load(tiny_version)
    purbalingga = Tagger.load(tiny_version, kabupaten="33.03")
    if with_prior:
        texts, labels = tiny_rows
        model = CategoryClassifier(prior=FrozenEstimator(tiny_model)).fit(texts, labels)
        lampung_selatan, purbalingga = (Tagger(model, t.clarity, t.location) for t in (lampung_selatan, purbalingga))
    assert (purbalingga._post_chunks() is None) == with_prior
    assert lampung_selatan.tag(post).unclear_reasons == ("greeting_only",)
    assert purbalingga.tag(post).unclear_reasons == ()
