"""Unclear detector: each reason code, real complaints let through, the estimator contract."""

from __future__ import annotations

import numpy as np
import pytest
import skops.io
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_parameters_default_constructible

from classify.clarity import REASONS, Clarity, ClarityDetector, _cue_row, asks_about_a_service, cue_matrix
from classify.clarity_rules import Batch, rule_reasons, words_of

COMPLAINTS = [
    "jalan di desa jati mulyo rusak parah, lubangnya dalam, mohon segera diperbaiki",
    "lampu PJU di depan pasar natar mati sudah dua minggu, gelap dan rawan begal",
    "sampah di TPS pinggir jalan tidak diangkut seminggu, baunya sampai ke rumah warga",
    "pelayanan KTP di disdukcapil lambat sekali, sudah tiga bulan belum jadi",
    "air PDAM mati terus sejak kemarin, warga kesulitan air bersih",
    "jembatan penghubung dua dusun retak dan hampir ambruk, anak sekolah takut lewat",
    "bansos PKH ibu saya dipotong oknum perangkat desa, tolong ditindak",
    "guru honorer belum digaji empat bulan, kami kecewa dengan dinas pendidikan",
    "drainase tersumbat, tiap hujan jalan tergenang dan banjir masuk rumah",
    "puskesmas sering tutup siang, pasien disuruh pulang padahal sakit",
    "antrean di pelabuhan bakauheni parah, truk mengular berjam-jam tanpa petugas",
    "pungli di pasar kalianda meresahkan pedagang kecil, minta ditertibkan",
]
NO_COMPLAINT = [
    "terima kasih dinas PU jalan di desa kami sudah mulus sekarang",
    "min mau tanya jadwal pelayanan kantor kecamatan hari sabtu buka tidak",
    "info dong syarat daftar sekolah SMP negeri tahun ini apa saja",
    "alhamdulillah bantuan sudah cair, terima kasih pak kades",
    "kapan ya jadwal vaksin di puskesmas bulan depan",
    "apresiasi untuk petugas kebersihan yang bekerja sejak subuh",
]
OFF_TOPIC = [
    "nonton bola semalam seru banget, timnas main bagus",
    "ada yang tau resep rendang yang enak gak",
    "hari ini cuaca cerah cocok buat jalan jalan ke pantai sama keluarga",
    "lagu baru band itu enak banget diputar terus",
    "siapa yang mau ikut mancing minggu depan",
    "anak saya ulang tahun hari ini, bahagia sekali",
]


@pytest.fixture(scope="module")
def training() -> tuple[list[str], list[int], list[str]]:
    texts = COMPLAINTS + NO_COMPLAINT + OFF_TOPIC
    labels = [0] * len(COMPLAINTS) + [1] * (len(NO_COMPLAINT) + len(OFF_TOPIC))
    reasons = [""] * len(COMPLAINTS) + ["no_complaint"] * len(NO_COMPLAINT) + ["off_topic"] * len(OFF_TOPIC)
    return texts, labels, reasons


@pytest.fixture(scope="module")
def detector(training: tuple[list[str], list[int], list[str]]) -> ClarityDetector:
    texts, labels, reasons = training
    return ClarityDetector().fit(texts, labels, reasons=reasons)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Selamat pagi min 🙏", "greeting_only"),
        ("Assalamualaikum wr wb, semangat pak bupati!", "greeting_only"),
        ("Mohon maaf lahir dan batin, selamat idul fitri", "greeting_only"),
        ("tes", "too_short"),
        ("p", "too_short"),
        ("🙏🙏🙏", "too_short"),
        ("tolong", "too_short"),
        ("@pemkablamsel @dpupr_lamsel", "mentions_only"),
        ("@pemkablamsel https://t.co/abc123 #LampungSelatan", "mentions_only"),
        ("Slot gacor maxwin hari ini! daftar sekarang link di bio", "spam"),
        ("PROMO diskon 50% kaos murah, order via WA 081234567890", "spam"),
        ("pinjaman cair tanpa jaminan, minat hub wa.me/6281234567890", "spam"),
    ],
)
def test_rules_flag_each_reason(detector: ClarityDetector, text: str, reason: str) -> None:
    verdict = detector.assess(text)
    assert verdict.unclear
    assert verdict.reasons == (reason,)
    assert verdict.score >= 0.97


@pytest.mark.parametrize("text", [
    "Bupati Sidak Perbaikan Jalan Rusak di Way Urang",
    "Dinas PUPR Kebut Perbaikan Jembatan Way Sulan yang Ambruk",
    "Petugas menambal jalan berlubang di Jalinsum Kalianda",
    "Polres gelar sosialisasi pencegahan tawuran pelajar",
])
def test_news_of_an_office_responding_is_no_complaint(text: str) -> None:
    """An office already acting on a problem, reported with no citizen's voice in it, is news."""
    assert rule_reasons(words_of(text), 3) == ("no_complaint",)
    assert Batch.of([text]).rule_reasons(3) == [("no_complaint",)]


@pytest.mark.parametrize("text", [
    "dinas PUPR janji perbaikan jalan tapi belum dikerjakan",
    "pak bupati tolong sidak jalan rusak di desa kami",
    "bupati sidak cuma pencitraan, jalan saya masih rusak",
    "kapan dinas PUPR aspal jalan kami yang rusak?",
    "kelurahan way urang gelar kerja bakti tapi sampah menumpuk",
])
def test_a_citizen_asking_or_still_waiting_is_left_to_the_model(text: str) -> None:
    """A request, the writer, "belum"/"masih" make it a citizen's own complaint; "kelurahan" is a place, not a lurah."""
    assert rule_reasons(words_of(text), 3) == ()


@pytest.mark.parametrize(
    "text",
    [
        "BPNT saya gak cair bulan ini, bisa hub wa 081200001234 min",
        "daftar bansos PKH sudah 3 bulan blm cair, hub wa 081300002345 kalau ada info",
        "jalan rusak di natar, foto cek link https://t.co/abc123",
        "tolong info daftar PPDB online link nya error terus https://ppdb.lampungselatankab.go.id",
        "tolong pinjol ilegal neror warga, bukti cek link https://t.co/x",
    ],
)
def test_a_complaint_with_a_number_or_a_link_is_not_spam(text: str) -> None:
    """Words adverts use (cair, daftar, hub, link) and a tweet's photo link are common in complaints too;
    the words naming a service or a problem keep the post out of the spam rule."""
    assert rule_reasons(words_of(text), 3) == ()


@pytest.mark.parametrize(
    "text",
    [
        "jual beras murah 5kg 60rb cod area natar, order wa 081200001111",
        "promo token listrik murah 24 jam order wa 085200003333",
        "dijual tanah kavling dekat jalan raya, bisa cicil, minat hub 081200005555",
    ],
)
def test_an_advert_naming_a_service_is_still_spam(text: str) -> None:
    assert rule_reasons(words_of(text), 3) == ("spam",)


def test_the_model_learns_nothing_from_rows_labelled_spam(training: tuple[list[str], list[int], list[str]]) -> None:
    """Spam is the rules' to find: an advert they let through, kept as a training row, would teach the
    model that "hub wa 0812…" means unclear, and complaints write it too."""
    texts, labels, reasons = training
    advert = "titip jualan keripik pisang khas lampung ya, order wa admin"
    assert rule_reasons(words_of(advert), 3) == ()
    with_advert = ClarityDetector().fit([*texts, advert], [*labels, 1], reasons=[*reasons, "spam"])
    without = ClarityDetector().fit(texts, labels, reasons=reasons)
    vocabulary = with_advert.model_.named_steps["features"].transformer_list[0][1].vocabulary_
    assert "keripik" not in vocabulary
    assert with_advert.predict_proba([advert])[0, 1] == pytest.approx(without.predict_proba([advert])[0, 1])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("terima kasih dinas, jalan desa kami sudah mulus", "no_complaint"),
        ("min mau tanya jadwal pelayanan kantor kecamatan", "question"),
        ("seru banget nonton bola semalam sama keluarga", "off_topic"),
        ("ada yang tau resep sambal yang enak", "off_topic"),
    ],
)
def test_model_flags_posts_without_a_complaint(detector: ClarityDetector, text: str, reason: str) -> None:
    verdict = detector.assess(text)
    assert verdict.unclear and verdict.reasons == (reason,)


@pytest.mark.parametrize(
    "text",
    [
        "jalan di desa way hui berlubang parah, sudah banyak yang jatuh, mohon diperbaiki",
        "lampu jalan mati semua, gelap gulita dan rawan kecelakaan",
        "jalan rusak!!",
        "sudah tiga bulan KTP elektronik belum jadi, pelayanan disdukcapil lambat",
        "Tolong berantas judi online di desa kami, banyak pemuda main slot sampai rumah tangga hancur",
    ],
)
def test_real_complaints_are_not_flagged(detector: ClarityDetector, text: str) -> None:
    verdict = detector.assess(text)
    assert not verdict.unclear, verdict
    assert verdict.reasons == () and verdict.score < 0.5


def test_rules_need_no_model() -> None:
    assert rule_reasons(words_of("halo min"), min_words=3) == ("greeting_only",)
    assert rule_reasons(words_of("jalan rusak parah di natar"), min_words=3) == ()


def test_predict_and_proba_agree_with_assess(detector: ClarityDetector) -> None:
    texts = ["Selamat pagi min", "jalan rusak parah mohon diperbaiki segera", "ada yang tau resep rendang"]
    proba = detector.predict_proba(texts)
    assert proba.shape == (3, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert detector.predict(texts).tolist() == [int(v.unclear) for v in detector.assess_many(texts)]
    assert detector.predict(texts).tolist() == [1, 0, 1]


def test_threshold_moves_the_decision(training: tuple[list[str], list[int], list[str]]) -> None:
    texts, labels, _ = training
    eager = ClarityDetector(threshold=0.0).fit(texts, labels)
    assert eager.assess("jalan rusak parah mohon diperbaiki segera").unclear


def test_without_reasons_the_model_reason_comes_from_the_lexicon(
    training: tuple[list[str], list[int], list[str]],
) -> None:
    texts, labels, _ = training
    plain = ClarityDetector().fit(texts, labels)
    assert plain.reason_model_ is None
    verdict = plain.assess("seru banget nonton bola semalam sama keluarga")
    assert verdict.reasons in (("off_topic",), ("no_complaint",))


def test_the_model_names_only_its_own_reasons_never_the_rules(training: tuple[list[str], list[int], list[str]]) -> None:
    """A greeting, spam words or a word count are the rules' findings: a post they let through is not
    "greeting_only" because the reason model was taught some long greetings."""
    texts, labels, reasons = training
    relabelled = ["greeting_only" if r == "no_complaint" else r for r in reasons]
    eager = ClarityDetector(threshold=0.0).fit(texts, labels, reasons=relabelled)
    assert "greeting_only" in eager.reason_model_.named_steps["model"].classes_
    posts = NO_COMPLAINT + OFF_TOPIC + COMPLAINTS
    asking = asks_about_a_service(posts, Batch.of(posts)).tolist()
    for post, asks, verdict in zip(posts, asking, eager.assess_many(posts), strict=True):
        assert verdict.reasons == (rule_reasons(words_of(post), eager.min_words)
                                   or (("question",) if asks else ("off_topic",)))


def test_reasons_are_the_shared_vocabulary() -> None:
    assert set(REASONS) == {"greeting_only", "too_short", "no_complaint", "spam", "off_topic", "mentions_only",
                            "question"}


@pytest.mark.parametrize(("text", "asks"), [
    ("syarat bikin akte anak yang hilang apa saja", True),
    ("kapan jadwal posyandu di desa bulan ini?", True),
    ("mohon info prosedur balik nama PBB", True),
    ("apakah hari ini ada film bagus di bioskop", False),
    ("seru banget nonton bola semalam?", False),
    ("terima kasih dinas PU jalan sudah mulus", False),
])
def test_a_question_about_a_service_is_told_apart(text: str, asks: bool) -> None:
    """Asking ("?", apakah, syarat, prosedur) about a public service is a request for information."""
    assert asks_about_a_service([text], Batch.of([text])).tolist() == [asks]


def test_a_flagged_question_about_a_service_reads_question(training: tuple[list[str], list[int], list[str]]) -> None:
    """The model finds no complaint in a question; staff read that it asks, so that they answer it."""
    texts, labels, reasons = training
    eager = ClarityDetector(threshold=0.0).fit(texts, labels, reasons=reasons)
    assert eager.assess("mohon info syarat bikin akte kelahiran anak apa saja ya").reasons == ("question",)
    assert eager.assess("seru banget nonton bola semalam sama keluarga").reasons != ("question",)


@pytest.mark.parametrize(
    ("x", "y", "error"),
    [
        (["a", "b"], [0, 0], ValueError),
        (["a", "b"], [0, 2], ValueError),
        (["a", "b"], [0], ValueError),
        ("one string", [0, 1], TypeError),
        ([1, 2], [0, 1], TypeError),
    ],
)
def test_fit_refuses_bad_input(x: object, y: list[int], error: type[Exception]) -> None:
    with pytest.raises(error):
        ClarityDetector().fit(x, y)


def test_estimator_contract(training: tuple[list[str], list[int], list[str]]) -> None:
    texts, labels, _ = training
    check_parameters_default_constructible("ClarityDetector", ClarityDetector())
    detector = ClarityDetector(threshold=0.6)
    for call in (detector.predict, detector.predict_proba, detector.assess_many):
        with pytest.raises(NotFittedError):
            call(["halo"])
    assert detector.fit(texts, labels) is detector
    assert detector.classes_.tolist() == [0, 1]
    copy = clone(detector)
    assert copy.get_params() == detector.get_params() and not hasattr(copy, "model_")
    assert 0.0 <= detector.score(texts, labels) <= 1.0


def test_skops_round_trip_needs_only_our_own_types(detector: ClarityDetector) -> None:
    data = skops.io.dumps(detector)
    untrusted = skops.io.get_untrusted_types(data=data)
    ours = {"ClarityDetector", "CueFeatures", "word_tokens"}
    assert set(untrusted) == {f"classify.clarity.{name}" for name in ours}
    restored = skops.io.loads(data, trusted=untrusted)
    text = "lampu jalan mati tolong diperbaiki"
    assert restored.assess(text) == detector.assess(text)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200))
def test_never_crashes_on_any_text(detector: ClarityDetector, text: str) -> None:
    verdict = detector.assess(text)
    assert isinstance(verdict, Clarity)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.unclear == bool(verdict.reasons)
    assert set(verdict.reasons) <= set(REASONS)


SOCIAL_PIECES = ["halo", "min", "jalan", "rusak", "parah", "tolong", "slot", "gacor", "maxwin", "promo", "murah", "wa",
                 "08123456789", "wa.me/628123", "@pemkab", "#lamsel", "https://t.co/x", "WWW.Lamsel.go.id", "12", "?",
                 "terima", "kasih", "kerusakan", "nonton", "bola", "🙏", "", "kapan", "info", "harga", "naik",
                 "bupati", "sidak", "perbaikan", "belum", "kelurahan", "Petugas", "menambal"]


@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(SOCIAL_PIECES), max_size=12).map(" ".join), max_size=8))
def test_batch_counts_agree_with_the_rules_post_by_post(texts: list[str]) -> None:
    batch = Batch.of(texts)
    assert batch.rule_reasons(3) == [rule_reasons(words_of(t), 3) for t in texts]
    np.testing.assert_allclose(cue_matrix(texts, batch), np.array([_cue_row(t) for t in texts]).reshape(-1, 9))


def test_batched_features_give_the_pipelines_own_probabilities(detector: ClarityDetector) -> None:
    texts = [*COMPLAINTS, *NO_COMPLAINT, *OFF_TOPIC, "jalan rusak rusak rusak", "kata baru sekali", "@a #b"]
    batch = Batch.of(texts)
    np.testing.assert_allclose(detector._proba(detector.model_, texts, batch), detector.model_.predict_proba(texts))
    reasons = detector.reason_model_
    assert (reasons.named_steps["model"].predict(detector._features(reasons, texts, batch))
            == reasons.predict(texts)).all()


def test_links_handles_and_phones_are_counted_per_chunk() -> None:
    seen = words_of("cek WWW.Lamsel.go.id dan https://t.co/x, hub 081234567890 @pemkab @dinas #jalan")
    assert seen.words == ("cek", "dan", "hub", "081234567890")
    assert (seen.links, seen.handles, seen.contact) == (2, 3, True)
    assert words_of("jalan   rusak\tparah") == words_of("jalan rusak parah")


@pytest.mark.parametrize(("text", "words"), [
    ("Cukup ngga ya? #jalanrusak", ("cukup", "ngga", "ya", "jalan", "rusak")),
    ("#PupukLangka lagi", ("pupuk", "langka", "lagi")),
    ("awas #banjir", ("awas", "banjir")),
    ("#banjir#jalanrusak", ("banjir", "jalan", "rusak")),
])
def test_a_hashtag_naming_a_problem_is_part_of_the_complaint(text: str, words: tuple[str, ...]) -> None:
    seen = words_of(text)
    assert seen.words == words and seen.handles == text.count("#")
    assert rule_reasons(seen, 3) == ()


@pytest.mark.parametrize("text", ["selamat pagi #LampungSelatan", "halo min #LaporBupati", "#MohonPerhatian",
                                  "selamat pagi #GakBisaTidur"])
def test_a_hashtag_naming_a_place_or_a_request_stays_a_tag(text: str) -> None:
    assert rule_reasons(words_of(text), 3) in {("greeting_only",), ("mentions_only",)}


def test_a_hashtag_is_split_into_the_given_kabupatens_place_names() -> None:
    """Kejobong is a kecamatan of Purbalingga (33.03): only its lexicon splits "#banjirkejobong"."""
    text = "Min #banjirkejobong"
    assert rule_reasons(words_of(text), 3) == ("greeting_only",)
    seen = words_of(text, "33.03")
    assert seen.words == ("min", "banjir", "kejobong")
    assert rule_reasons(seen, 3) == ()
    batch = Batch.of([text, "selamat pagi #LampungSelatan"], "33.03")
    assert batch.flat == ["min", "banjir", "kejobong", "selamat", "pagi"]
    assert batch.rule_reasons(3) == [(), ("greeting_only",)]
    assert Batch.of([text]).rule_reasons(3) == [("greeting_only",)]


def test_a_detector_reads_hashtags_with_its_kabupaten_and_old_ones_load_as_the_default(
        detector: ClarityDetector) -> None:
    post = "Min #banjirkejobong"
    assert detector.kabupaten == "18.01" and detector.assess(post).reasons == ("greeting_only",)
    purbalingga = clone(detector).set_params(kabupaten="33.03")
    assert purbalingga.get_params()["kabupaten"] == "33.03"
    elsewhere = skops.io.loads(skops.io.dumps(detector), trusted=skops.io.get_untrusted_types(
        data=skops.io.dumps(detector))).set_params(kabupaten="33.03")
    assert elsewhere.assess(post).reasons != ("greeting_only",)
    old = dict(detector.__getstate__())
    old.pop("kabupaten")
    restored = ClarityDetector.__new__(ClarityDetector)
    restored.__setstate__(old)
    assert restored.kabupaten == "18.01" and restored.assess(post).reasons == ("greeting_only",)
    with pytest.raises(ValueError, match="Kemendagri"):
        elsewhere.set_params(kabupaten="Purbalingga").assess(post)
