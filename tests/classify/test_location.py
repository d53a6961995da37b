"""Location tagger: spelling, cue words, hierarchy, outside places, geo hints, the estimator contract."""

from __future__ import annotations

import pickle

import pytest
import skops.io
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_parameters_default_constructible

from classify.gazetteer import load_landmarks, name_keys
from classify.location import LocationTagger

JATI_AGUNG = "18.01.13"
JATI_MULYO = "18.01.13.2008"


@pytest.fixture(scope="module")
def tagger() -> LocationTagger:
    return LocationTagger().fit()


@pytest.mark.parametrize(
    "text",
    ["Jalan rusak di Jati Mulyo", "jalan di jatimulyo berlubang", "ds. jati mulyo banjir lagi", "jati-mulyo gelap"],
)
def test_jati_mulyo_however_spelled(tagger: LocationTagger, text: str) -> None:
    match = tagger.tag(text)
    assert match.desa is not None and match.desa.code == JATI_MULYO
    assert match.kecamatan is not None and match.kecamatan.code == JATI_AGUNG
    assert match.span is not None and text[match.span[0] : match.span[1]] == match.matched
    assert match.matched.replace("-", " ").lower().replace(" ", "") == "jatimulyo"
    assert not match.outside_kabupaten


def test_cue_word_raises_confidence(tagger: LocationTagger) -> None:
    assert tagger.tag("ds. jati mulyo banjir").confidence > tagger.tag("jati mulyo banjir").confidence


@pytest.mark.parametrize("text", ["beli buah palas di pasar", "sumur warga kering", "makan pisang goreng",
                                  "kapan pemanggilan peserta PPPK?", "semoga kedamaian menyertai warga"])
def test_everyday_word_without_cue_is_not_a_place(tagger: LocationTagger, text: str) -> None:
    match = tagger.tag(text)
    assert match.kecamatan is None and not match.outside_kabupaten


@pytest.mark.parametrize(
    ("text", "kecamatan"),
    [
        ("lampu jalan mati di palas", "18.01.10"),
        ("kec. palas", "18.01.10"),
        ("Jalan ke Palas rusak", "18.01.10"),
        ("warga desa sumur kesulitan air", "18.01.14"),
    ],
)
def test_everyday_word_with_cue_or_capital_is_a_place(tagger: LocationTagger, text: str, kecamatan: str) -> None:
    match = tagger.tag(text)
    assert match.kecamatan is not None and match.kecamatan.code == kecamatan


def test_capitals_count_for_nothing_in_shouting(tagger: LocationTagger) -> None:
    assert tagger.tag("BELI BUAH PALAS").kecamatan is None


@pytest.mark.parametrize(
    ("text", "outside_code"),
    [
        ("Rajabasa Bandar Lampung macet total", "18.71.10"),
        ("jalan rusak di kec. Tegineneng", "18.09.03"),
        ("banjir lagi di Kota Metro", "18.72"),
        ("antrean panjang di Pelabuhan Merak", "36.72.03"),
    ],
)
def test_place_outside_the_kabupaten_is_flagged(tagger: LocationTagger, text: str, outside_code: str) -> None:
    match = tagger.tag(text)
    assert match.outside_kabupaten
    assert match.outside_code == outside_code
    assert match.kecamatan is None and match.desa is None


def test_own_kabupaten_is_not_outside(tagger: LocationTagger) -> None:
    match = tagger.tag("pelayanan di Lampung Selatan lambat")
    assert not match.outside_kabupaten and match.kecamatan is None and match.matched == "Lampung Selatan"


def test_place_inside_beats_a_mention_of_the_city(tagger: LocationTagger) -> None:
    match = tagger.tag("jalan lintas Natar arah Bandar Lampung rusak")
    assert match.kecamatan is not None and match.kecamatan.code == "18.01.04"
    assert not match.outside_kabupaten


@pytest.mark.parametrize(
    ("text", "desa"),
    [
        ("Karang Sari, Jati Agung", "18.01.13.2019"),
        ("karang sari ketapang", "18.01.14.2003"),
        ("desa tanjung sari kec. natar", "18.01.04.2008"),
        ("desa tanjung sari palas", "18.01.10.2004"),
    ],
)
def test_ambiguous_desa_resolved_by_its_kecamatan(tagger: LocationTagger, text: str, desa: str) -> None:
    match = tagger.tag(text)
    assert match.desa is not None and match.desa.code == desa
    assert match.kecamatan is not None and match.kecamatan.code == desa[:8]


def test_unresolved_ambiguity_has_low_confidence(tagger: LocationTagger) -> None:
    alone = tagger.tag("desa karang sari")
    assert alone.desa is not None and alone.desa.name == "Karang Sari"
    assert alone.confidence < tagger.tag("desa karang sari kec. ketapang").confidence / 1.5


def test_bare_kecamatan_name_means_the_kecamatan_not_its_namesake_desa(tagger: LocationTagger) -> None:
    assert tagger.tag("Kalianda").desa is None
    desa = tagger.tag("kelurahan kalianda").desa
    assert desa is not None and desa.code == "18.01.06.1007"


@pytest.mark.parametrize(
    ("text", "desa"),
    [("agom kalianda, rambu ketutup pohon", "18.01.06.2025"), ("wawasan tj sari PJU mati", "18.01.22.2004")],
)
def test_everyday_word_named_with_its_kecamatan_is_its_desa(tagger: LocationTagger, text: str, desa: str) -> None:
    match = tagger.tag(text)
    assert match.desa is not None and match.desa.code == desa


@pytest.mark.parametrize("text", ["ketapang kering kerontang min, sumur warga udh pada asat",
                                  "sumur warga udh pada asat di ketapang"])
def test_a_very_everyday_word_away_from_its_kecamatan_stays_a_word(tagger: LocationTagger, text: str) -> None:
    match = tagger.tag(text)
    assert match.kecamatan.code == "18.01.14" and match.desa is None


def test_a_very_everyday_word_beside_its_kecamatan_is_its_desa(tagger: LocationTagger) -> None:
    assert tagger.tag("warga sumur kec. ketapang kekeringan").desa.code == "18.01.14.2008"


def test_place_named_first_sms_style(tagger: LocationTagger) -> None:
    assert tagger.tag("ketapang, jalan pantai gelap total").kecamatan.code == "18.01.14"


@pytest.mark.parametrize(
    "text",
    [
        "oli bekas dibuang di lahan dekat sumur warga",
        "Bangunan liar berdiri di bahu jalan",
        "kios makan bahu jalan. Bangunan itu liar",
    ],
)
def test_very_everyday_words_need_a_desa_cue_or_a_capital_mid_sentence(tagger: LocationTagger, text: str) -> None:
    assert tagger.tag(text).desa is None


def test_account_names_are_not_places(tagger: LocationTagger) -> None:
    assert tagger.tag("@pemkablamsel tolong cek truk batu bara").kecamatan is None
    assert tagger.tag("lapor ke natar@example.com atau https://natar.example.id").kecamatan is None
    beside = tagger.tag("cc @natar_info @kalianda: jalan rusak di Penengahan, lihat https://x.id/natar")
    assert beside.kecamatan is not None and beside.kecamatan.name.lower() == "penengahan"


def test_honorific_makes_a_person_not_a_place(tagger: LocationTagger) -> None:
    assert tagger.tag("terima kasih Pak Hatta").desa is None


def test_mention_inside_a_word_is_ignored(tagger: LocationTagger) -> None:
    assert tagger.tag("cantik sekali pemandangannya").kecamatan is None


@pytest.mark.parametrize(
    ("text", "desa"),
    [
        ("antre 6 jam di Pelabuhan Bakauheni", "18.01.21.2004"),
        ("jalan depan ITERA berlubang", "18.01.13.2001"),
        ("Bandara Radin Inten II parkirnya mahal", "18.01.04.2011"),
    ],
)
def test_landmarks_name_their_desa(tagger: LocationTagger, text: str, desa: str) -> None:
    match = tagger.tag(text)
    assert match.desa is not None and match.desa.code == desa


def test_landmark_with_only_a_kecamatan(tagger: LocationTagger) -> None:
    match = tagger.tag("antrian RSUD Bob Bazar lama sekali")
    assert match.kecamatan is not None and match.kecamatan.name == "Kalianda" and match.desa is None


def test_custom_landmarks_replace_the_file() -> None:
    tagger = LocationTagger(landmarks={"Warung Kopi Pojok": "18.01.09"}).fit()
    assert tagger.tag("ngopi di warung kopi pojok").kecamatan.code == "18.01.09"
    assert tagger.tag("antre di Menara Siger").desa is None


def test_landmarks_file_loads_with_aliases() -> None:
    landmarks = load_landmarks()
    assert landmarks["Menara Siger"] == landmarks["Pelabuhan Bakauheni"] == "18.01.21.2004"
    assert landmarks["Radin Inten II"] == "18.01.04.2011"


def test_unknown_landmark_code_is_an_error() -> None:
    with pytest.raises(ValueError, match="Tidak Ada"):
        LocationTagger(landmarks={"Tidak Ada": "99.99.99"}).fit()


def test_geo_hint_outside_wins_over_the_text(tagger: LocationTagger) -> None:
    match = tagger.tag("jalan rusak di Natar", geo_hint="Bandar Lampung, Lampung")
    assert match.outside_kabupaten and match.outside_code == "18.71"


def test_geo_hint_code_wins_and_text_adds_the_desa(tagger: LocationTagger) -> None:
    match = tagger.tag("jalan rusak di Hajimena", geo_hint="18.01.04")
    assert match.kecamatan.code == "18.01.04" and match.desa.code == "18.01.04.2001"
    other = tagger.tag("jalan rusak di Jati Mulyo", geo_hint="1801060000")
    assert other.kecamatan.code == "18.01.06" and other.desa is None


def test_geo_hint_of_the_kabupaten_keeps_the_post_inside(tagger: LocationTagger) -> None:
    match = tagger.tag("macet di Bandar Lampung", geo_hint="Lampung Selatan, Lampung")
    assert not match.outside_kabupaten
    refined = tagger.tag("jalan rusak di Natar", geo_hint="Lampung Selatan, Lampung")
    assert refined.kecamatan.code == "18.01.04"


def test_geo_hint_without_a_place_leaves_the_text(tagger: LocationTagger) -> None:
    assert tagger.tag("banjir di Natar", geo_hint="Indonesia").kecamatan.code == "18.01.04"


def test_predict_gives_kecamatan_codes(tagger: LocationTagger) -> None:
    assert tagger.predict(["jalan rusak di Natar", "selamat pagi", "Rajabasa Bandar Lampung"]) == ["18.01.04", "", ""]


def test_another_kabupaten_can_be_configured() -> None:
    city = LocationTagger(kabupaten="18.71", landmarks={}).fit()
    match = city.tag("jalan rusak di kec. Rajabasa")
    assert match.kecamatan.code == "18.71.10" and not match.outside_kabupaten
    assert city.tag("jalan rusak di Natar").outside_code == "18.01.04"


@pytest.mark.parametrize("code", ["18", "18.01.04", "lampung", "99.99"])
def test_kabupaten_must_be_a_known_kabupaten_code(code: str) -> None:
    with pytest.raises(ValueError):
        LocationTagger(kabupaten=code, landmarks={}).fit()


def test_name_keys_join_split_and_swap() -> None:
    assert {" jati mulyo ", " jatimulyo "} <= name_keys("Jati Mulyo")
    assert " sido mulyo " in name_keys("Sidomulyo")
    assert " wai sari " in name_keys("Way Sari") or " way sari " in name_keys("Wai Sari")
    assert name_keys("Kota Bandar Lampung", level=2) >= {" bandar lampung ", " bandarlampung "}


# -- estimator contract (STYLE.md rule 6) --------------------------------------------------------


def test_estimator_contract() -> None:
    check_parameters_default_constructible("LocationTagger", LocationTagger())
    tagger = LocationTagger(landmarks={})
    with pytest.raises(NotFittedError):
        tagger.tag("Natar")
    with pytest.raises(NotFittedError):
        tagger.predict(["Natar"])
    assert tagger.fit() is tagger
    copy = clone(tagger)
    assert copy.get_params() == tagger.get_params() and not hasattr(copy, "automaton_")


def test_pickled_tagger_rebuilds_its_automaton(tagger: LocationTagger) -> None:
    state = tagger.__getstate__()
    assert "automaton_" not in state
    restored = pickle.loads(pickle.dumps(tagger))
    assert restored.tag("ds. jati mulyo") == tagger.tag("ds. jati mulyo")


def test_skops_round_trip_keeps_only_parameters(tagger: LocationTagger) -> None:
    data = skops.io.dumps(tagger)
    assert skops.io.get_untrusted_types(data=data) == ["classify.location.LocationTagger"]
    restored = skops.io.loads(data, trusted=["classify.location.LocationTagger"])
    assert restored.tag("Karang Sari, Jati Agung") == tagger.tag("Karang Sari, Jati Agung")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), hint=st.one_of(st.none(), st.text(max_size=40)))
def test_never_crashes_and_spans_point_into_the_text(tagger: LocationTagger, text: str, hint: str | None) -> None:
    match = tagger.tag(text, geo_hint=hint)
    assert 0.0 <= match.confidence <= 1.0
    if match.span is not None:
        assert text[match.span[0] : match.span[1]] == match.matched
    assert match.outside_kabupaten == (match.outside_code is not None)


@settings(max_examples=100, deadline=None)
@given(
    prefix=st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    name=st.sampled_from(["Jati Mulyo", "Natar", "Way Hui", "Pelabuhan Bakauheni", "Sidomulyo"]),
)
def test_a_place_after_any_separator_is_found(tagger: LocationTagger, prefix: str, name: str) -> None:
    match = tagger.tag(f"{prefix} di {name}.")
    assert match.kecamatan is not None or match.outside_kabupaten


@pytest.mark.parametrize("text",
                         ["saya warga Klaten, Jawa Tengah", "Klaten Jateng banjir", "saya di Pasuruan Jawa Timur"])
def test_another_province_named_beside_a_namesake_puts_the_post_outside(tagger: LocationTagger, text: str) -> None:
    match = tagger.tag(text)
    assert match.outside_kabupaten and match.desa is None


def test_a_namesake_desa_without_another_province_stays_inside(tagger: LocationTagger) -> None:
    match = tagger.tag("jalan rusak di Klaten")
    assert match.desa is not None and match.desa.name == "Klaten" and not match.outside_kabupaten


def test_old_town_names_and_roads_named_after_people(tagger: LocationTagger) -> None:
    assert tagger.tag("Teluk Betung banjir").outside_code == "18.71"  # Bandar Lampung, not desa Betung
    assert tagger.tag("macet di Jl. Soekarno Hatta").desa is None
    assert tagger.tag("jalan rusak di desa Hatta Bakauheni").desa.name == "Hatta"
