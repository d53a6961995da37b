"""The `[web]` section of pilah.toml: the staff web application and its JSON API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WebSettings(BaseModel):
    """How `pilah serve` listens and how strict it is with sessions and logins."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address `pilah serve` listens on; 0.0.0.0 only behind a proxy.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port of `pilah serve`.")
    workers: int = Field(1, ge=1, le=32, description="uvicorn worker processes.")
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="Reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated "
                                 "addresses): the client's address for the login limits, https for links and cookies.")
    session_max_age_minutes: int = Field(
        480, ge=5, le=10080, description="A session expires after this many minutes without a request."
    )
    session_absolute_hours: int = Field(
        12, ge=1, le=168, description="A session ends this many hours after login, however active."
    )
    secure_cookies: bool = Field(
        False, description="Send cookies only over HTTPS (set true whenever the site is served by HTTPS)."
    )
    login_max_failures: int = Field(
        5, ge=1, le=100, description="Failed logins for one username before further tries are refused."
    )
    login_lockout_minutes: int = Field(15, ge=1, le=1440, description="How long those failures lock the login.")
    login_max_client_failures: int = Field(
        30, ge=0, le=10000,
        description="Failed logins from one client address, whatever the usernames, before its further tries are "
        "refused for login_lockout_minutes (password spraying); 0 turns it off.",
    )
    page_size: int = Field(50, ge=10, le=500, description="Reports per queue page.")
