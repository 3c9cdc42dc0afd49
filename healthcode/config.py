"""Settings of the platform: one class, read from HEALTHCODE_* environment variables (and an optional .env).

Read once where a process starts (the `healthcode` command, `create_app` when given none, the migrations'
environment) and passed down from there: a request reaches the settings of its app through `AppSettings`, a service
gets the values it needs as parameters. Nothing else reads the environment.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Depends, Request
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-only-secret-change-me"
DEV_OIDC_SECRET = "dev-only-oidc-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HEALTHCODE_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    data_dir: Path = Path("var")
    database_url: str | None = None
    secret_key: str = DEV_SECRET
    # Fixes the platform clock (Asia/Shanghai, naive) for demos and tests; refused in production.
    fixed_now: datetime | None = None

    issuer: str = "CN-35"
    rule_set: str = "fj-2020-02"
    code_ttl_seconds: int = 60
    # Printed cards (纸质健康码, issue 16): how long a card is valid (days; the verifier refuses over 1097), and the CJK
    # font embedded in its PDF (a TrueType font or collection; Debian's fonts-wqy-zenhei by default).
    card_validity_days: int = Field(default=365, ge=1, le=1096)
    # A card revoked or expired is deleted by `healthcode purge` this many days after (whichever came first): a scan of
    # it meanwhile still says 已作废 or 已过期 rather than 无效.
    card_retention_days: int = Field(default=30, ge=1)
    card_font_path: Path = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    fever_departments: list[str] = ["发热门诊"]
    pass_reasons: list[str] = ["工作", "生活", "就医", "返乡", "其他"]
    scan_retention_days: int = 28
    # Refused code attempts per scanner before number-code lookup locks (SPEC section 8: 429 rate_limited).
    scan_refusal_limit: int = 10
    scan_refusal_window_seconds: int = 300
    feed_chunk_rows: int = 20_000
    # The vectorised validation of clean CSV blocks (feeds/fastpath.py); 0 turns it off, for comparisons and in case of
    # doubt (the per-row path gives the same rows and the same error reports).
    feed_fast_path: bool = True
    # An uploaded XLSX (feeds, employee import) is refused before it is opened when its zip declares more than this
    # many MB uncompressed, or a member over 1 MB compressed more than `xlsx_max_ratio` times (a "zip bomb").
    xlsx_max_uncompressed_mb: int = 1024
    xlsx_max_ratio: int = 200
    # 企业员工管理 批量导入: an upload over this many MB is refused (413) while it is copied in chunks to scratch.
    employee_import_max_mb: int = Field(default=10, ge=1)
    # Scans and code refreshes in the database at once in one server process on PostgreSQL (SQLite: one transaction
    # of any kind). More threads than cores only fight over Python's GIL (docs/performance.md, "Measured choices").
    db_request_concurrency: int = Field(default=4, ge=1, le=40)
    # Admission control (web/admission.py, SPEC section 11): requests of one process in flight at once (none given:
    # 4 on SQLite, whose one writer turn they would otherwise queue for, 16 on PostgreSQL; at most 26, PostgreSQL's
    # pool of 30 less the hot routes' kept connections), requests waiting for one of those places, and how long one
    # may wait before it is answered 503 with `Retry-After` (docs/deploy.md, docs/performance.md "Morning rush").
    # Off: every request is taken at once (for comparisons).
    admission: bool = True
    admission_in_flight: int | None = Field(default=None, ge=1, le=26)
    admission_queue: int = Field(default=1024, ge=0, le=100_000)
    admission_wait_ms: int = Field(default=1000, ge=1, le=30_000)
    admission_retry_after_seconds: int = Field(default=2, ge=1, le=3600)
    # 账号获取 (政务信息网): the self-service retrieval of a government unit's account answers only from these networks.
    internal_networks: list[str] = ["127.0.0.0/8", "10.0.0.0/8"]
    # Throttles (count, seconds: at most count in any such window), shared by every process through the database
    # (accounts/throttle.py; docs/decisions.md "Account retrieval and throttling" says why these numbers).
    throttle_login_failures: tuple[int, int] = (30, 900)  # failed sign-ins per client address
    throttle_sms: tuple[int, int] = (10, 3600)  # SMS verification codes asked for per client address
    throttle_registration: tuple[int, int] = (10, 3600)  # registration submissions per client address
    throttle_retrieval: tuple[int, int] = (5, 3600)  # 账号获取 attempts per client address
    throttle_sign_in_starts: tuple[int, int] = (30, 60)  # /citizen/login visits per address: each stores a session
    login_lockout: tuple[int, int] = (5, 900)  # failed sign-ins per username (known or not) before it locks
    dev_idp_lockout: tuple[int, int] = (5, 900)  # the development identity provider's lockout per ID number
    # Origins (https://host[:port]) allowed to post with the session cookie besides the request's own host: for a
    # proxy that does not pass the public host on (web/origin.py).
    allowed_origins: list[str] = []
    # Web sessions end after this long without a request (healthcode/sessions): the consoles (gov and ent), the
    # citizen portal, the scanner's pages (a checkpoint shift, as long as the API token the page scans with), and a
    # session nobody has signed in to yet (the sign-in's own state). A browser signed in to several portals gets the
    # shortest.
    session_idle_console_minutes: int = Field(default=30, ge=1)
    session_idle_citizen_minutes: int = Field(default=12 * 60, ge=1)
    session_idle_scanner_minutes: int = Field(default=12 * 60, ge=1)
    session_idle_signed_out_minutes: int = Field(default=15, ge=1)
    # USCCs of the health authority (疫情防控指挥部): their admins also get the region level, fever-drug and feed pages.
    authority_usccs: list[str] = []
    # A manual flag of the authority (healthcode/manualflags) ends at most this many days after the day it is
    # proposed, that day counted (14: proposed on the 1st, it may end on the 14th at the latest).
    manual_flag_max_days: int = Field(default=14, ge=1, le=90)
    # Appeals (申诉, issue 16): evidence up to this many MB (JPEG, PNG or PDF, checked by content), the authority's
    # deadline in days after filing, and how many days a decided appeal and its evidence file are kept (`healthcode
    # purge`); the corrections an upheld appeal made stay.
    appeal_evidence_max_mb: int = Field(default=5, ge=1, le=50)
    appeal_decision_days: int = Field(default=3, ge=1, le=60)
    appeal_retention_days: int = Field(default=180, ge=1)
    # `healthcode purge` deletes the oldest ledger entries (问责记录: they hold ID numbers) once older than this many
    # days, leaving an anchor that `audit verify` starts from. At least six months (网络安全法 art. 21 keeps logs that
    # long), and never shorter than a decided appeal or the scans (docs/decisions.md «Purging the ledger»).
    ledger_retention_days: int = Field(default=365, ge=183)

    # SMS gateway (SPEC section 11): the dispatcher (messages/dispatch.py) POSTs {"phone", "text"} there, with
    # `Authorization: Bearer <token>` when a token is set; unset, texts stay in the development outbox (sms_outbox).
    # A text is tried at most `sms_max_attempts` times, waiting about base x 2^(tries-1) seconds between tries (with
    # jitter, at most `sms_retry_max_seconds`); the server looks for due texts every `sms_poll_seconds` besides when
    # it wrote some itself.
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    sms_gateway_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    sms_max_attempts: int = Field(default=6, ge=1, le=20)
    sms_retry_base_seconds: float = Field(default=5.0, gt=0)
    sms_retry_max_seconds: float = Field(default=300.0, gt=0)
    sms_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # `healthcode purge` deletes an outbox text (phone and text) this many days after it was delivered, or after it
    # was written when it failed or is still waiting (a text never sent in that time will not be).
    sms_retention_days: int = Field(default=30, ge=1)

    # Real-name sign-in (OpenID Connect). No issuer: the development provider mounted at this app's /dev-idp.
    oidc_issuer: str | None = None
    oidc_client_id: str = "healthcode-platform"
    oidc_client_secret: str = DEV_OIDC_SECRET
    # The scopes asked for: `openid` and what the platform needs to release the name and the ID number (a provider may
    # keep the ID number under a scope of its own, e.g. "openid profile idcard").
    oidc_scope: str = "openid profile"
    min_assurance_level: Literal["L1", "L2", "L3", "L4"] = "L4"

    # Enterprise CA-certificate login (enterprise/ca_login.py): off unless the CA certificate (PEM) is named; the TLS
    # proxy passes the client's certificate in this header.
    ent_ca_file: Path | None = None
    ent_ca_header: str = "X-SSL-Client-Cert"

    @model_validator(mode="after")
    def _refuse_dev_defaults_in_production(self) -> Settings:
        if self.env == "prod":
            if self.secret_key == DEV_SECRET:
                raise ValueError("生产环境必须设置 HEALTHCODE_SECRET_KEY")
            if self.fixed_now is not None:
                raise ValueError("生产环境不允许固定时钟 HEALTHCODE_FIXED_NOW")
            if not self.oidc_issuer or self.oidc_client_secret == DEV_OIDC_SECRET:
                raise ValueError("生产环境必须设置 HEALTHCODE_OIDC_ISSUER 和 HEALTHCODE_OIDC_CLIENT_SECRET")
        if not 0 < self.code_ttl_seconds <= 300:
            raise ValueError("健康码有效期必须在 1 到 300 秒之间")
        longest = max(self.appeal_retention_days + self.appeal_decision_days, self.scan_retention_days)
        if self.ledger_retention_days < longest:
            raise ValueError(f"问责记录保存期限 HEALTHCODE_LEDGER_RETENTION_DAYS 不能短于 {longest} 天"
                             "（已处理申诉的保存期限加处理时限，及扫码记录的保存期限）")
        return self

    @model_validator(mode="after")
    def _oidc_issuer_and_scope(self) -> Settings:
        """The issuer is an http(s) URL, https only in production (except on this machine); the scope has openid."""
        if "openid" not in self.oidc_scope.split():
            raise ValueError("HEALTHCODE_OIDC_SCOPE 必须包含 openid")
        if not self.oidc_issuer:
            self.oidc_issuer = None
            return self
        parts = urlsplit(self.oidc_issuer)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("HEALTHCODE_OIDC_ISSUER 必须是 http 或 https 地址（不带查询参数）")
        if self.env == "prod" and parts.scheme != "https" and not _loopback(parts.hostname):
            raise ValueError("生产环境的 HEALTHCODE_OIDC_ISSUER 必须使用 https（本机地址除外）")
        return self

    @model_validator(mode="after")
    def _sms_gateway_url(self) -> Settings:
        """An http(s) URL; in production https only, except to this machine (a local relay: the text does not cross
        a network in plain)."""
        if not self.sms_gateway_url:
            self.sms_gateway_url = None
            return self
        parts = urlsplit(self.sms_gateway_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("HEALTHCODE_SMS_GATEWAY_URL 必须是 http 或 https 地址")
        if self.env == "prod" and parts.scheme != "https" and not _loopback(parts.hostname):
            raise ValueError("生产环境的 HEALTHCODE_SMS_GATEWAY_URL 必须使用 https（本机地址除外）")
        return self

    @model_validator(mode="after")
    def _throttles_positive(self) -> Settings:
        for name in ("throttle_login_failures", "throttle_sms", "throttle_registration", "throttle_retrieval",
                     "login_lockout", "dev_idp_lockout"):
            if min(getattr(self, name)) < 1:
                raise ValueError(f"HEALTHCODE_{name.upper()} 的次数和秒数都必须大于0")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'healthcode.sqlite3').resolve()}"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    """The settings of this process's environment: for where a process starts, and nowhere else."""
    return Settings()


def app_settings(request: Request) -> Settings:
    """The settings the app was made with (`create_app`). A route or page takes them as `settings: AppSettings`."""
    return request.app.state.settings  # type: ignore[no-any-return]


async def _app_settings(request: Request) -> Settings:
    return app_settings(request)  # async: resolved in the event loop, without a hop to a worker thread


AppSettings = Annotated[Settings, Depends(_app_settings)]
