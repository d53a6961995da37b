"""Web fixtures: the app in-process on a migrated database, users of every role, reports to act on."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from web_helpers import csrf_of

from pilah import PROJECT_ROOT
from pilah.auth import passwords
from pilah.auth.accounts import NewUser, create_user
from pilah.schema import ROLES, ChannelPayload, Post, Report, User
from pilah.settings import load_settings
from pilah.web import create_app
from triage.directory import sync_directory

PASSWORD = "rahasia-uji-123"
NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
ROLE_OPD = {"opd": "dpupr"}


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at minimum cost in tests (the parameters live in each hash, so verification still works)."""
    monkeypatch.setattr(passwords, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    """An empty model registry per test, so promote/rollback never touch the repository's models/."""
    path = tmp_path / "models"
    path.mkdir()
    return path


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, models_dir: Path):
    monkeypatch.setenv("PILAH_SECRET_KEY", "test-secret-key-" + "x" * 32)
    monkeypatch.setenv("PILAH_MODELS_DIR", str(models_dir))
    return load_settings(None)


@pytest.fixture
def directory(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """The database with data/opd.toml and data/routing.toml loaded."""
    with factory.begin() as session:
        sync_directory(session, PROJECT_ROOT / "data")
    return factory


@pytest.fixture
def make_user(directory: sessionmaker[Session]) -> Callable[..., User]:
    def make(role: str, *, username: str | None = None, opd_code: str | None = None) -> User:
        with directory.begin() as session:
            opd = opd_code or ROLE_OPD.get(role)
            return create_user(session, NewUser(username=username or f"u-{role}-{opd or 'x'}", display_name=role,
                                                role=role, password=PASSWORD, opd_code=opd), actor="setup")
    return make


@pytest.fixture
def users(make_user) -> dict[str, User]:
    """One user per role; the opd user is Dinas PUPR's liaison."""
    return {role: make_user(role) for role in ROLES}


@pytest.fixture
def make_report(directory: sessionmaker[Session]) -> Callable[..., Report]:
    counter = iter(range(1, 10_000))

    def make(text: str = "Jalan rusak di desa Jati Mulyo mohon diperbaiki", *, status: str = "perlu_verifikasi",
             category: str | None = "infrastruktur", kecamatan_code: str | None = "18.01.13",
             opd_code: str | None = None, channel: str = "twitter", masked_text: str | None = None,
             author_handle: str = "warga_natar", **extra) -> Report:
        n = next(counter)
        with directory.begin() as session:
            payload = ChannelPayload(channel=channel, endpoint="test", parameters={}, collector_version="test",
                                     retrieved_at=NOW, sha256=hashlib.sha256(f"{n}-{text}".encode()).hexdigest(),
                                     body=b"{}")
            session.add(payload)
            session.flush()
            post = Post(channel=channel, source_id=f"src-{n}", payload_id=payload.id, author_id=f"id-{n}",
                        author_name="Budi Warga", author_handle=author_handle, text=text,
                        created_at=NOW - timedelta(hours=n), url=f"https://x.com/warga/status/{n}")
            session.add(post)
            session.flush()
            report = Report(post_id=post.id, status=status, category=category, category_confidence=0.82,
                            category_terms=["jalan", "rusak"], kecamatan_code=kecamatan_code, opd_code=opd_code,
                            masked_text=masked_text, verify_due=NOW + timedelta(days=3), version=1, **extra)
            session.add(report)
        return report
    return make


@pytest.fixture
def app(settings, directory):
    return create_app(settings, directory, clock=lambda: NOW)


@pytest.fixture
def anonymous(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def login(app, users) -> Callable[[str], TestClient]:
    """A client logged in as the user of a role (or a given username)."""
    clients: list[TestClient] = []

    def log_in(role_or_username: str) -> TestClient:
        username = users[role_or_username].username if role_or_username in users else role_or_username
        client = TestClient(app, base_url="http://testserver", follow_redirects=False)
        clients.append(client)
        response = client.post("/masuk", data={"username": username, "password": PASSWORD,
                                               "csrf_token": csrf_of(client, "/masuk")})
        assert response.status_code == 303, response.text
        return client
    yield log_in
    for client in clients:
        client.close()
