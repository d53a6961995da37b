"""Staff accounts. Passwords are argon2 hashes; the role decides what a user may see and do."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from pilah.schema.base import Base, UTCDateTime, utcnow

ROLES = ("admin", "verifikator", "opd", "analis", "pimpinan")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    opd_code: Mapped[str | None] = mapped_column(ForeignKey("opds.code"))
    active: Mapped[bool] = mapped_column(default=True)
    #: Raised when the user logs out or gets a new password: every browser session started before is over.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
