"""Fixtures of the classify tests: a tiny seed corpus (tests/classify/fixtures/seed, written for the
tests), the real taxonomy, a fitted category model and a trained model version on disk."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from classify.category import CategoryClassifier
from classify.taxonomy import Taxonomy, load_taxonomy
from classify.train import TrainingResult, load_seed, train_seed, write_version

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def tiny_seed_dir() -> Path:
    """3 categories × 8 posts and 8 unclear posts, in the seed corpus's CSV format."""
    return FIXTURES / "seed"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return load_taxonomy(ROOT / "data" / "taxonomy.toml")


@pytest.fixture(scope="session")
def tiny_rows(tiny_seed_dir: Path) -> tuple[list[str], list[str]]:
    """(texts, categories) of the tiny corpus's category rows."""
    texts, labels = [], []
    for path in sorted(tiny_seed_dir.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["category"]:
                    texts.append(row["text"])
                    labels.append(row["category"])
    return texts, labels


@pytest.fixture(scope="session")
def tiny_model(tiny_rows: tuple[list[str], list[str]]) -> CategoryClassifier:
    texts, labels = tiny_rows
    return CategoryClassifier().fit(texts, labels)


@pytest.fixture(scope="session")
def tiny_training(tiny_seed_dir: Path, taxonomy: Taxonomy) -> TrainingResult:
    return train_seed(tiny_seed_dir, taxonomy, folds=2)


@pytest.fixture(scope="session")
def tiny_version(tiny_training: TrainingResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model version directory written by :func:`write_version` (read-only for tests)."""
    return write_version(tmp_path_factory.mktemp("models"), tiny_training)


PIECES = [
    "", "min, ", "pak, ", "assalamualaikum, ", "tabik pun, ", "🙏 ", "Jln ", "di ds. Jatimulyo ", "kec. Natar ",
    "Rajabasa, Bandar Lampung ", "@pemkablamsel ", "#LampungSelatan ", "#jalanrusak ", "NIK 1801012345670001 ",
    "hp 0812-3456-7890 ", "budi.s@gmail.com ", "BE 1234 XY ", "RT 05 ", "KK 1801 0123 4567 0002 ", "pak Hatta ",
    "jum'at ", "KALIANDA ", "wa.me/628123 ", "https://t.co/x ", "Rp 1.234.567 ", "E 10 KM ", "\n", "ＡＢＣ ",
]


@pytest.fixture(scope="session")
def varied_posts() -> list[str]:
    """3,000 seed posts varied the way social media varies them (greetings, handles, hashtags, RT numbers,
    capitals, emoji, apostrophes, line breaks, personal data), each ending in its own hashtag."""
    rng = random.Random(7)
    seed = load_seed(ROOT / "data" / "seed").texts
    out = []
    for i in range(3000):
        text = rng.choice(seed)
        if rng.random() < 0.15:
            text = f"{text} {rng.choice(seed)}"
        if rng.random() < 0.1:
            text = text.upper()
        out.append(f"{rng.choice(PIECES)}{text} {rng.choice(PIECES)}{rng.choice(PIECES)}#{i}")
    return out
