"""A secret written into pilah.toml is refused with the variable it is really read from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from pilah.errors import ConfigError
from pilah.settings import Settings, is_secret, load_settings
from pilah.settings_channels import ChannelSettings

# section, key, value, the Settings field the hinted variable must fill
CASES = [
    ("channels.twitter", "bearer_token", "AAAA", "x_bearer_token"),
    ("channels.twitter", "access_token_secret", "s3cret", "x_access_token_secret"),
    ("channels.facebook", "page_token", "EAAB", "fb_page_token"),
    ("channels.facebook", "access_token", "EAAB", "fb_page_token"),
    ("channels.sms", "webhook_secret", "hmac", "sms_webhook_secret"),
    ("web", "secret_key", "k" * 40, "secret_key"),
    ("", "x_bearer_token", "AAAA", "x_bearer_token"),
]


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("PILAH_CONFIG", "PILAH_DATABASE_URL", "PILAH_KABUPATEN", "PILAH_X_BEARER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(("section", "key", "value", "field"), CASES, ids=lambda v: str(v))
def test_the_hinted_variable_is_the_one_the_secret_is_read_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                section: str, key: str, value: str,
                                                                field: str) -> None:
    path = tmp_path / "pilah.toml"
    path.write_text((f"[{section}]\n" if section else "") + f'{key} = "{value}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    (variable,) = set(re.findall(r"PILAH_\w+", refused.value.hint))
    path.write_text("", encoding="utf-8")
    monkeypatch.setenv(variable, value)
    assert getattr(load_settings(path), field).get_secret_value() == value


def test_a_key_no_field_matches_is_pointed_at_its_sections_secrets(tmp_path: Path) -> None:
    path = tmp_path / "pilah.toml"
    path.write_text('[channels.twitter]\napi_key = "AAAA"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_settings(path)
    assert set(re.findall(r"PILAH_\w+", refused.value.hint)) == {
        f"PILAH_{name.upper()}" for name in Settings.model_fields if is_secret(name) and name.startswith("x_")}


def test_a_secret_set_under_its_nested_name_is_pointed_at_the_real_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PILAH_CHANNELS__TWITTER__BEARER_TOKEN", "AAAA")
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "'channels.twitter.bearer_token'" in refused.value.hint and "PILAH_X_BEARER_TOKEN" in refused.value.hint


def test_every_channel_secrets_prefix_names_settings_fields() -> None:
    for field in ChannelSettings.model_fields.values():
        section: type[BaseModel] = field.annotation
        prefix = getattr(section, "secrets_prefix", None)
        if prefix is not None:
            assert any(is_secret(name) and name.startswith(prefix) for name in Settings.model_fields), section
