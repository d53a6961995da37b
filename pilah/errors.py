"""The shell's errors: each has a stable code and a message a civil servant can act on."""

from __future__ import annotations


class PilahError(Exception):
    """Base for errors the CLI turns into a message and an exit code instead of a traceback."""

    code = "pilah_error"
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f"\n  → {self.hint}" if self.hint else "")


class ConfigError(PilahError):
    """pilah.toml or a PILAH_* variable is missing, malformed or out of range."""

    code = "config_invalid"
    exit_code = 2


class DatabaseError(PilahError):
    """The database cannot be reached or is not at the schema version this code expects."""

    code = "database_unavailable"
    exit_code = 3


class OutboxNotUncertain(PilahError):
    """Only a message whose delivery is unknown (`tak_pasti`) waits for a person's check."""

    code = "outbox_not_uncertain"


class RevisionInvalid(PilahError):
    """`pilah db upgrade/downgrade` named a revision the migrations do not have, or one it cannot move to."""

    code = "revision_invalid"
    exit_code = 2


class ConcurrentRun(PilahError):
    """Another run changed the same reports while this one ran (two `pilah batch` at once); nothing of
    this run's unfinished step was kept."""

    code = "concurrent_run"

    def __init__(self) -> None:
        super().__init__("proses lain (mis. pilah batch kedua) mengubah laporan yang sama saat perintah ini berjalan; "
                         "langkah yang belum selesai dibatalkan / another run changed the same reports meanwhile; "
                         "the unfinished step was rolled back",
                         hint="tunggu proses lain selesai, lalu jalankan ulang / wait for it to finish, then run again")
