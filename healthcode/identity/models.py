"""Tables of the development identity provider (仅供开发使用): demo resident accounts, pending authorisation codes, its
ID-token key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise


class DevIdpAccount(Base):
    """A resident account of the development provider; the real one is the provincial identity platform."""

    __tablename__ = "dev_idp_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(bytewise(18), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Real-name assurance level L1–L4 (L4: face check against the ID photo), reported as the ID token's acr.
    level: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20))


class DevIdpCode(Base):
    """An authorisation code waiting for the token request: single use, ten minutes."""

    __tablename__ = "dev_idp_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    client_id: Mapped[str] = mapped_column(String(100))
    redirect_uri: Mapped[str] = mapped_column(String(500))
    scope: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200))
    code_challenge: Mapped[str | None] = mapped_column(String(200))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    account_id: Mapped[int] = mapped_column(ForeignKey("dev_idp_accounts.id", ondelete="CASCADE"))
    acr: Mapped[str] = mapped_column(String(2))  # the account's assurance level when it signed in
    auth_time: Mapped[int] = mapped_column(Integer)  # epoch seconds, as the ID token carries it
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class DevIdpKey(Base):
    """The provider's ID-token signing key (one row, id 1), shared by every server process (identity/devkeys.py)."""

    __tablename__ = "dev_idp_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
