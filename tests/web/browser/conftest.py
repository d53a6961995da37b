"""Browser fixtures: the real app under uvicorn on 127.0.0.1, driven by Debian's Chromium.

Never downloads a browser: without /usr/bin/chromium (apt-get install -y chromium) these tests skip.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pilah import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: the browser flow checks the UI, the database suite covers both backends."""
    return f"sqlite:///{tmp_path / 'browser.sqlite'}"


@pytest.fixture
def server(app) -> Iterator[str]:
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    instance = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not instance.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.02)  # waiting for the listener, not timing anything
    assert instance.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium not installed at /usr/bin/chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def shoot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return save


@pytest.fixture
def copy_to_docs():
    """Copies screenshots into docs/screenshots/ for the README (when PILAH_UPDATE_DOC_SCREENSHOTS is set)."""
    return _copy_to_docs


def _copy_to_docs(paths: list[Path]) -> None:
    target = PROJECT_ROOT / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    for path in paths:
        shutil.copy(path, target / path.name)
