"""Ingest errors. Item-level problems are quarantined, not raised; these stop a whole run."""

from __future__ import annotations


class IngestError(Exception):
    """Base for errors that stop an import or a collector run."""

    code = "ingest_error"


class UnknownFormat(IngestError):
    """The caller named a file format pilah does not read."""

    code = "unknown_format"


class SourceUnreadable(IngestError):
    """The file or endpoint could not be read at all (missing, permissions, not a file)."""

    code = "source_unreadable"


class ChannelError(IngestError):
    """A live channel refused or failed a request; the message says what to do (Indonesian, then English)."""

    code = "channel_error"

    def __init__(self, message: str, *, channel: str, endpoint: str = "") -> None:
        super().__init__(message)
        self.channel = channel
        self.endpoint = endpoint


class CredentialsMissing(ChannelError):
    """The collector has no credentials configured: it is disabled, the others keep running."""

    code = "credentials_missing"


class CredentialsRejected(ChannelError):
    """The API refused the credentials (X 401/403, Graph code 190): a person must renew them."""

    code = "credentials_rejected"


class RateLimited(ChannelError):
    """The API's window is used up; the run checkpoints and stops, the next run resumes."""

    code = "rate_limited"

    def __init__(self, message: str, *, channel: str, endpoint: str = "", reset_at: float | None = None) -> None:
        super().__init__(message, channel=channel, endpoint=endpoint)
        self.reset_at = reset_at


class TransientChannelError(ChannelError):
    """A 5xx answer or a broken connection: worth retrying a few times with backoff."""

    code = "channel_transient"


class ChannelUnavailable(ChannelError):
    """Retries were exhausted; the run stops and the next scheduled run tries again."""

    code = "channel_unavailable"


class BudgetExhausted(ChannelError):
    """The monthly read budget is spent: collection stops before the API plan's cap is hit."""

    code = "budget_exhausted"


class RequestRejected(ChannelError):
    """The API refused one request as invalid (Graph code 100, X 400): that item is quarantined, the run goes on."""

    code = "request_rejected"

    def __init__(self, message: str, *, channel: str, endpoint: str = "", body: bytes | None = None) -> None:
        super().__init__(message, channel=channel, endpoint=endpoint)
        self.body = body


class CollectorNotConfigured(IngestError):
    """The collector has nothing to read (no accounts, pages or queries in pilah.toml): it is disabled."""

    code = "collector_not_configured"


class MalformedPage(ChannelError):
    """The API answered 200 with a body pilah cannot read; it is quarantined and this source stops for the run."""

    code = "malformed_page"
