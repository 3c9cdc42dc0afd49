"""The sign-in account shared by every kind of user who logs in with a password (scanners, organisation admins)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base

KIND_SCANNER = "scanner"
KIND_ORG_ADMIN = "org_admin"


class Account(Base):
    """One login: `username` is a scanner's phone number or an admin's username. `token_version` is part of every
    token issued for the account, so bumping it (password change, revocation) invalidates those tokens at once."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    # Set for passwords retrieved on the self-service page: they must be changed at first login (SPEC section 5).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    # The password was handed to someone (printed by `org add`, chosen at registration, shown to a superior after a
    # reset, shown on the retrieval page): the self-service retrieval then never issues another (docs/decisions.md,
    # "Account retrieval and throttling").
    password_delivered: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # False once deactivated (service.deactivate, the one way to do it): no sign-in, no token, no session.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ThrottleHit(Base):
    """One counted attempt (a failed sign-in, an SMS code asked for, a registration, a retrieval) by one client
    address or against one username, kept for the length of its limit's window. In the database, so every server
    process counts the same attempts (accounts/throttle.py). `key` is an HMAC keyed by the secret key: usernames
    are phone numbers."""

    __tablename__ = "throttle_hits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_throttle_hits_action_key_at", "action", "key", "at"),
                      Index("ix_throttle_hits_action_at", "action", "at"))
