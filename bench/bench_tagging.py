"""Tagging throughput on one core: the whole Tagger against a naive pipeline (issue 3, item 8a).

Builds ``--posts`` realistic posts from the seed corpus (each seed post varied: greetings,
handles, hashtags, RT numbers, two posts joined into a longer web report), pins the process to
one CPU with single-threaded BLAS, and times

- ``Tagger.tag_many`` (normalise + category + explanation + location + unclear + personal data),
  once with caches warmed on the seed corpus, the way a running service sees posts;
- a naive pipeline on the same posts: every token stemmed by an uncached Sastrawi stemmer,
  scikit-learn TF-IDF, LinearSVC (category only).

With ``--real`` it also tags the real complaints in ``../shared/data`` (when present) twice, with
fresh word caches and then warm: every post of a real export is new and brings words the caches
have not seen, each stemmed once by Sastrawi, so the first pass is what importing an export costs.

The tagger is the active model in models/ (or one trained on the seed corpus when there is none).
Every figure is given in wall-clock time and in the process's CPU time: on a shared machine the
wall clock also counts the time other processes held the core, the CPU time does not.
Prints numbers; never run by the test suite.

    python bench/bench_tagging.py [--posts 50000] [--naive-posts 50000] [--batch 2048] [--real]
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402 - BLAS threads must be fixed before numpy is imported
import random  # noqa: E402
import re  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GREETINGS = ("", "", "", "min, ", "pak, ", "assalamualaikum, ", "tabik pun, ", "mohon maaf, ", "selamat pagi. ")
ENDINGS = ("", "", "", " #LampungSelatan", " @pemkablamsel", " tolong segera", " mksh", " 🙏", " #LaporBupati")


def pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity)"


def seed_texts() -> list[str]:
    from classify.train import load_seed

    return load_seed(ROOT / "data" / "seed").texts


def realistic_posts(seed: list[str], n: int, rng: random.Random) -> list[str]:
    """Seed posts varied so that no two are the same string, in a realistic mix of lengths."""
    posts = []
    for i in range(n):
        text = rng.choice(seed)
        if rng.random() < 0.15:
            text = f"{text} {rng.choice(seed)}"
        if rng.random() < 0.3:
            text = re.sub(r"\b(rt|RT) ?\d+", f"RT {rng.randint(1, 30):02d}", text) + f" rt {rng.randint(1, 30)}"
        posts.append(f"{rng.choice(GREETINGS)}{text}{rng.choice(ENDINGS)} #{i}")
    return posts


def load_tagger():
    from classify.registry import active_model_dir
    from classify.tagger import Tagger

    models = ROOT / "models"
    try:
        return Tagger.load(active_model_dir(models)), "active model " + active_model_dir(models).name
    except Exception as exc:
        from classify.location import LocationTagger
        from classify.taxonomy import load_taxonomy
        from classify.train import train_seed

        result = train_seed(ROOT / "data" / "seed", load_taxonomy(ROOT / "data" / "taxonomy.toml"), folds=2)
        tagger = Tagger(result.model, result.clarity, LocationTagger().fit())
        return tagger, f"trained on the seed corpus ({type(exc).__name__}: {exc})"


def time_tagger(tagger, posts: list[str], batch: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of tagging ``posts`` in batches."""
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(posts), batch):
        tagger.tag_many(posts[i : i + batch])
    return time.perf_counter() - start, time.process_time() - cpu


def time_components(tagger, posts: list[str], batch: int) -> dict[str, float]:
    """CPU seconds per stage over ``posts`` (caches already warm), to show where the time goes.

    Each stage runs the way :meth:`Tagger.tag_many` runs it, a batch at a time: "read" splits the
    posts once and gives every later stage its input (normalised text, token numbers, the unclear
    rules' counts; :mod:`classify.post_chunks`).
    """
    from classify.category import explain_rows
    from classify.pii import find_pii_many

    times = dict.fromkeys(("read", "category", "explain", "location", "unclear", "pii"), 0.0)
    chunks = tagger._post_chunks()
    vectorizer = tagger.category.vectorizer()
    for i in range(0, len(posts), batch):
        texts = posts[i : i + batch]
        start = time.process_time()
        read = chunks.read(texts)
        times["read"] += time.process_time() - start
        start = time.process_time()
        words, chars = vectorizer.blocks_of_numbers(read.tokens, read.token_numbers, read.token_doc, len(texts))
        features = words + chars
        probabilities = tagger.category.proba_of_features(features)
        times["category"] += time.process_time() - start
        start = time.process_time()
        explain_rows(tagger.category, features, probabilities.argmax(axis=1), 5, weights=False, word_features=words)
        times["explain"] += time.process_time() - start
        start = time.process_time()
        tagger.location.tag_many(texts)
        times["location"] += time.process_time() - start
        start = time.process_time()
        tagger.clarity.reasons_many(texts, read.rules)
        times["unclear"] += time.process_time() - start
        start = time.process_time()
        find_pii_many(texts)
        times["pii"] += time.process_time() - start
    return times


def time_real_exports(batch: int) -> None:
    """Cold, then warm, tagging of the real complaints in ../shared/data: run first in the process, so
    that the word caches (shared by every tagger in it) start empty."""
    import csv

    shared = ROOT.parent / "shared" / "data"
    texts = [row["text"] for path in sorted(shared.glob("*.csv")) if path.exists()
             for row in csv.DictReader(path.open(encoding="utf-8", newline=""))]
    if not texts:
        print(f"real exports: skipped, nothing in {shared}")
        return
    tagger, _ = load_tagger()
    for name in ("first pass (new words stemmed)", "second pass (warm)"):
        _, cpu = time_tagger(tagger, texts, batch)
        print(f"real exports, {len(texts)} posts, mean {sum(map(len, texts)) / len(texts):.0f} characters, {name}: "
              f"{len(texts) / cpu:,.0f} posts/s CPU")


def naive_pipeline(train_texts: list[str], train_labels: list[str]):
    """Stem every token with an uncached Sastrawi stemmer, TF-IDF, LinearSVC: the baseline of issue 3."""
    from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
    from Sastrawi.Stemmer.Stemmer import Stemmer
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    stemmer = Stemmer(ArrayDictionary(StemmerFactory().get_words()))

    def analyse(text: str) -> list[str]:
        return stemmer.stem(text).split()

    return make_pipeline(TfidfVectorizer(analyzer=analyse), LinearSVC()).fit(train_texts, train_labels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--naive-posts", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--real", action="store_true", help="also time the real complaints in ../shared/data, "
                        "cold and warm")
    args = parser.parse_args()
    print(pin_to_one_core())
    if args.real:
        time_real_exports(args.batch)
    if hasattr(os, "getloadavg"):
        print("load average at start: " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    seed = seed_texts()
    posts = realistic_posts(seed, args.posts, random.Random(3))
    print(f"{len(posts)} posts, mean {sum(map(len, posts)) / len(posts):.0f} characters")
    tagger, origin = load_tagger()
    print(f"tagger: {origin}")
    tagger.tag_many(seed)  # warm the token caches, as a running service would have them
    seconds, cpu = time_tagger(tagger, posts, args.batch)
    ours, ours_cpu = len(posts) / seconds, len(posts) / cpu
    print(f"whole tagging (Tagger.tag_many): {ours:,.0f} posts/s wall ({seconds:.2f} s), "
          f"{ours_cpu:,.0f} posts/s CPU ({cpu:.2f} s)")
    parts = time_components(tagger, posts[:10_000], args.batch)
    print("  per stage, CPU µs/post: " + ", ".join(f"{k} {v / 10_000 * 1e6:.1f}" for k, v in parts.items()))
    from classify.train import load_seed

    corpus = load_seed(ROOT / "data" / "seed").labelled()
    naive = naive_pipeline(corpus.texts, corpus.labels)
    sample = posts[: args.naive_posts]
    start, started_cpu = time.perf_counter(), time.process_time()
    naive.predict(sample)
    naive_rate = len(sample) / (time.perf_counter() - start)
    naive_cpu = len(sample) / (time.process_time() - started_cpu)
    print(f"naive pipeline (uncached stemmer + TF-IDF + LinearSVC): {naive_rate:,.0f} posts/s wall, "
          f"{naive_cpu:,.0f} posts/s CPU on {len(sample)} posts")
    print(f"ratio: {ours / naive_rate:.1f}x wall, {ours_cpu / naive_cpu:.1f}x CPU   "
          f"(targets: >= 20,000 posts/s and >= 30x)")
    category_path = 10_000 / (parts["read"] + parts["category"] + parts["explain"])
    print(f"category path alone (what the naive pipeline does, plus explanations): {category_path:,.0f} posts/s CPU, "
          f"{category_path / naive_cpu:.1f}x naive")


if __name__ == "__main__":
    main()
