"""One settings object: defaults, file, environment; secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from pilah.errors import ConfigError
from pilah.settings import effective_settings, load_settings, redact_url


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PILAH_CONFIG", "PILAH_DATABASE_URL", "PILAH_KABUPATEN", "PILAH_X_BEARER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pilah.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file() -> None:
    settings = load_settings()
    assert settings.kabupaten == "18.01" and settings.database_url.startswith("sqlite:///")


def test_file_values_are_read(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, 'kabupaten = "34.01"\nabstain_below = 0.7\n'))
    assert (settings.kabupaten, settings.abstain_below) == ("34.01", 0.7)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILAH_KABUPATEN", "18.02")
    assert load_settings(_write(tmp_path, 'kabupaten = "34.01"\n')).kabupaten == "18.02"


def test_pilah_config_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILAH_CONFIG", str(_write(tmp_path, "top_n = 9\n")))
    assert load_settings().top_n == 9


def test_invalid_value_names_the_key_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_write(tmp_path, 'kabupaten = "99.99"\n'))
    assert "'kabupaten'" in str(error.value) and "PILAH_KABUPATEN" in str(error.value)


def test_a_nested_key_is_named_whole_in_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_write(tmp_path, '[web]\nport = "delapan"\n'))
    assert "pengaturan tidak sah / invalid setting" in str(error.value)
    assert error.value.hint.startswith("perbaiki / correct 'web.port' di/in ") and "PILAH_WEB__PORT" in error.value.hint


@pytest.mark.parametrize(("line", "said"), [
    ("0 25 * * *", r"higher than the maximum value \(23\)"),
    ("0 1 * * 8", "hari 8 tidak ada: 0–7, 0 dan 7 = Minggu"),
    ("01:00", "perlu 5 bagian: menit jam tanggal bulan hari"),
])
def test_a_nightly_cron_line_that_is_not_one_is_refused_when_read(tmp_path: Path, line: str, said: str) -> None:
    """Not hours later, when the scheduler starts."""
    with pytest.raises(ConfigError, match=said):
        load_settings(_write(tmp_path, f'[channels.schedule]\nnightly_batch_cron = "{line}"\n'))


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kabupatn"):
        load_settings(_write(tmp_path, 'kabupatn = "18.01"\n'))


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "tidak-ada.toml")


def test_broken_toml_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(_write(tmp_path, "kabupaten = \n"))


@pytest.mark.parametrize("line", ['x_bearer_token = "AAAA"', 'secret_key = "s3cret"',
                                  'database_url = "postgresql+psycopg://pilah:hunter2@db/pilah"'])
def test_secrets_in_the_file_are_refused(tmp_path: Path, line: str) -> None:
    with pytest.raises(ConfigError, match="environment"):
        load_settings(_write(tmp_path, line + "\n"))


def test_config_show_never_prints_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILAH_X_BEARER_TOKEN", "AAAA-very-secret")
    monkeypatch.setenv("PILAH_DATABASE_URL", "postgresql+psycopg://pilah:hunter2@db/pilah")
    shown = effective_settings(load_settings())
    assert "AAAA-very-secret" not in str(shown) and "hunter2" not in str(shown)
    assert shown["x_bearer_token"] == "(set, hidden)"


def test_redact_url_keeps_user_and_host() -> None:
    assert redact_url("postgresql+psycopg://pilah:pw@db:5432/x") == "postgresql+psycopg://pilah:***@db:5432/x"


def test_a_misspelt_variable_is_refused_with_the_likely_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignored, it would leave pilah on an empty SQLite file in the current folder."""
    monkeypatch.setenv("PILAH_DATABSE_URL", "postgresql+psycopg://pilah@db/pilah")
    with pytest.raises(ConfigError, match="PILAH_DATABSE_URL bukan pengaturan pilah") as error:
        load_settings(None)
    assert "did you mean PILAH_DATABASE_URL?" in error.value.hint
    monkeypatch.delenv("PILAH_DATABSE_URL")
    for variable in ("PILAH_NEW_PASSWORD", "PILAH_TEST_ANYTHING", "PILAH_WEB__PORT", "PILAH_CONFIG"):
        monkeypatch.setenv(variable, "8081" if variable == "PILAH_WEB__PORT" else "")
    assert load_settings(None).web.port == 8081
