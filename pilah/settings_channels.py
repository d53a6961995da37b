"""The `[channels]` section of pilah.toml: which accounts, pages and gateways to collect from, and when.

Credentials are not here: they come only from PILAH_* environment variables (see Settings). A section with
credentials names the prefix of their Settings fields (`secrets_prefix`), so a secret written into the section
can be pointed at the variable it is really read from.
"""

from __future__ import annotations

from datetime import UTC
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pilah.jobs.cron import cron_trigger


class TwitterSettings(BaseModel):
    """`[channels.twitter]`: X API v2 mentions and recent search."""

    model_config = ConfigDict(extra="forbid")
    secrets_prefix: ClassVar[str] = "x_"

    accounts: list[str] = Field(
        default_factory=list, description="Accounts whose mentions are collected: usernames (pemkablamsel) or ids."
    )
    queries: list[str] = Field(
        default_factory=list,
        description="Recent-search queries, e.g. '@pemkablamsel OR #LaporBupati lang:id -is:retweet'.",
    )
    interval_minutes: int = Field(15, ge=1, le=1440, description="How often the scheduler collects from X.")
    page_size: int = Field(100, ge=10, le=100, description="Tweets asked for per API page (max_results).")
    max_pages_per_run: int = Field(50, ge=1, le=1000, description="Upper bound on pages read in one run.")
    monthly_read_cap: int = Field(
        10_000, ge=0, description="Posts pilah may read per month of the plan (its cap); 0 means no cap."
    )
    cap_reset_day: int = Field(
        1, ge=1, le=28, description="Day of the month (UTC) the plan's cap starts again: the billing day the X "
        "developer portal shows for the subscription."
    )
    reply_enabled: bool = Field(
        False, description="Allow replies to reporters from the outbox (needs OAuth 1.0a user credentials)."
    )


class FacebookSettings(BaseModel):
    """`[channels.facebook]`: Graph API page feed, visitor posts that tag the page, comments."""

    model_config = ConfigDict(extra="forbid")
    secrets_prefix: ClassVar[str] = "fb_"

    pages: list[str] = Field(default_factory=list, description="Facebook Page ids to collect from.")
    api_version: str = Field("v24.0", pattern=r"^v\d+\.\d+$", description="Graph API version, e.g. v24.0.")
    interval_minutes: int = Field(30, ge=1, le=1440, description="How often the scheduler collects from Facebook.")
    page_size: int = Field(50, ge=1, le=100, description="Items asked for per Graph API page (limit).")
    max_pages_per_run: int = Field(50, ge=1, le=1000, description="Upper bound on pages read per edge per run.")
    reply_enabled: bool = Field(
        False, description="Allow comment replies to reporters from the outbox (token needs pages_manage_engagement)."
    )
    sweep_days: int = Field(
        14, ge=0, le=90, description="Re-read comments of Page posts this many days old (new comments on older "
        "posts escape the feed's `since`); 0 turns the sweep off."
    )
    sweep_interval_minutes: int = Field(180, ge=5, le=10080, description="How often the scheduler sweeps comments.")


class SmsSettings(BaseModel):
    """`[channels.sms]`: the SMS gateway webhook."""

    model_config = ConfigDict(extra="forbid")
    secrets_prefix: ClassVar[str] = "sms_"

    replay_window_seconds: int = Field(
        300, ge=10, le=3600, description="A signed webhook call older or newer than this is refused as a replay."
    )
    max_body_bytes: int = Field(16_384, ge=512, le=1_048_576, description="Largest webhook body accepted.")
    signature_header: str = Field("X-Pilah-Signature", description="Header carrying sha256=<hex HMAC> of the body.")
    timestamp_header: str = Field("X-Pilah-Timestamp", description="Header carrying the unix time of the call.")
    send_url: str | None = Field(
        None, pattern=r"^https?://", description="SMS gateway URL that sends a message (POST JSON to, text, "
        "reference). Unset: SMS replies stay in the outbox with the reason."
    )


class OutboxSettings(BaseModel):
    """`[channels.outbox]`: sending the reporters' clarification requests back on their channel."""

    model_config = ConfigDict(extra="forbid")

    interval_minutes: int = Field(5, ge=1, le=1440, description="How often the scheduler sends the outbox.")
    max_attempts: int = Field(3, ge=1, le=20, description="Attempts per message before it is marked failed (gagal).")
    batch_size: int = Field(50, ge=1, le=1000, description="Messages sent per run at most.")
    uncertain_after_seconds: int = Field(
        600, ge=60, description="A message still 'mengirim' this long after its attempt began is marked 'tak_pasti' "
        "(the process stopped between sending and recording): a person checks the channel; never resent by itself."
    )


class ScheduleSettings(BaseModel):
    """`[channels.schedule]`: the scheduler's timing rules."""

    model_config = ConfigDict(extra="forbid")

    nightly_batch_cron: str = Field("0 1 * * *", description="Cron line (minute hour day month weekday, Sunday = 0 "
                                    "or 7, as in crontab) for the nightly batch, in the office time zone.")
    misfire_grace_seconds: int = Field(
        600, ge=1, description="A job that missed its time by at most this much still runs (once: coalesced)."
    )
    lock_seconds: int = Field(
        3600, ge=10, description="How long a job's database lock lasts before another scheduler may take it over."
    )

    @field_validator("nightly_batch_cron")
    @classmethod
    def _a_cron_line(cls, line: str) -> str:
        """Refused when pilah.toml is read, not when the scheduler starts hours later."""
        cron_trigger(line, UTC)
        return line


class ChannelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    twitter: TwitterSettings = Field(default_factory=TwitterSettings, description="[channels.twitter] section.")
    facebook: FacebookSettings = Field(default_factory=FacebookSettings, description="[channels.facebook] section.")
    sms: SmsSettings = Field(default_factory=SmsSettings, description="[channels.sms] section.")
    outbox: OutboxSettings = Field(default_factory=OutboxSettings, description="[channels.outbox] section.")
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings, description="[channels.schedule] section.")
