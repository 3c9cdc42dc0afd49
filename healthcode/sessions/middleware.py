"""`request.session` kept on the server. The cookie carries only a random token; the `web_sessions` row found by its
SHA-256 holds the data. A copied cookie is worth nothing once the row is gone: after sign-out, a revocation, or the
idle limit.

The row is read when a request first touches `request.session` (never for a request without the cookie, nor for one
that does not look at its session: static files, the bearer-token API), on the request's own transaction when it has
one (`db.REQUEST_DB_KEY`). It is written when the response starts, in a transaction of its own taken like the hot
routes' (`db.in_transaction`: on SQLite in the event loop through the one-writer gate), and only when something
changed: the data, who is signed in (then under a new token: no session fixation), or a last-seen time older than a
tenth of the idle limit."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection, cookie_parser

from healthcode import clock
from healthcode.db import REQUEST_DB_KEY, in_transaction
from healthcode.sessions import repository

# The last-seen time is written when it is older than this fraction of the idle limit (a session may so end up to a
# tenth early); a console admin clicking through pages writes it every 3 minutes, a resident every 72.
TOUCH_FRACTION = 10


@dataclass(frozen=True)
class SignIn:
    """A session key that says who is signed in (an account or person id, a token version): a change of its value
    gives the session a new token. `column` is the web_sessions column its id fills, for revocations."""

    idle: timedelta
    column: str | None = None


@dataclass(frozen=True)
class Config:
    cookie: str
    secure: bool
    sign_ins: Mapping[str, SignIn]
    signed_out_idle: timedelta

    def idle(self, data: Mapping[str, Any]) -> timedelta:
        """The shortest idle limit of those signed in; the signed-out one when nobody is."""
        limits = [sign_in.idle for key, sign_in in self.sign_ins.items() if data.get(key) is not None]
        return min(limits) if limits else self.signed_out_idle

    def who(self, data: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(data.get(key) for key in self.sign_ins)

    def principals(self, data: Mapping[str, Any]) -> dict[str, int | None]:
        """The principal columns of a session with this data."""
        found: dict[str, int | None] = {s.column: None for s in self.sign_ins.values() if s.column is not None}
        for key, sign_in in self.sign_ins.items():
            value = data.get(key)
            if sign_in.column is not None and isinstance(value, int) and not isinstance(value, bool):
                found[sign_in.column] = value
        return found


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _dump(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


class ServerSession(MutableMapping[str, Any]):
    """The dict behind `request.session`, read from its row at first use."""

    def __init__(self, token: str | None, scope: Any, engine: Engine, config: Config) -> None:
        self.token = token
        self._scope = scope
        self._engine = engine
        self._config = config
        self._data: dict[str, Any] | None = None
        self.row_id: int | None = None  # the row read (expired or not)
        self.expired = False
        self.stored = ""  # the data as read: JSON as `_dump` writes it
        self.who: tuple[Any, ...] = ()
        self.last_seen: datetime | None = None

    @property
    def loaded(self) -> bool:
        return self._data is not None

    def load(self, db: Session | None = None) -> dict[str, Any]:
        """The data, read on `db`, the request's transaction, or a connection of its own, at first use."""
        if self._data is not None:
            return self._data
        data: dict[str, Any] = {}
        if self.token is not None:
            db = db if db is not None else self._scope.get(REQUEST_DB_KEY)
            if db is not None:
                row = repository.find(db, _hash(self.token))
            else:
                with self._engine.connect() as connection:
                    row = repository.find(connection, _hash(self.token))
            if row is not None:
                self.row_id = row.id
                if row.expires_at <= clock.now():
                    self.expired = True
                else:
                    data, self.stored, self.last_seen = json.loads(row.data), row.data, row.last_seen_at
        self.who = self._config.who(data)
        self._data = data
        return data

    def __getitem__(self, key: str) -> Any:
        return self.load()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.load()[key] = value

    def __delitem__(self, key: str) -> None:
        del self.load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.load())

    def __len__(self) -> int:
        return len(self.load())

    def __contains__(self, key: object) -> bool:
        return key in self.load()

    def get(self, key: str, default: Any = None) -> Any:
        return self.load().get(key, default)

    def clear(self) -> None:
        self.load().clear()


def carries_session(request: HTTPConnection) -> bool:
    """Whether the request came with a session cookie at all (without one, `request.session` is empty and costs no
    database work)."""
    session = request.scope.get("session")
    return isinstance(session, ServerSession) and session.token is not None


def read_with(request: HTTPConnection, db: Session) -> None:
    """Reads the request's session on `db` if it was not read yet: for a hot route that has a transaction of its own
    (`db.in_transaction`) and so saves the session's own read."""
    session = request.scope.get("session")
    if isinstance(session, ServerSession):
        session.load(db)


class ServerSessions:
    """The ASGI middleware: puts a `ServerSession` in the scope and saves it when the response starts."""

    def __init__(self, app: Any, config: Config) -> None:
        self.app = app
        self.config = config
        self.prefix = f"{config.cookie}="

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = ServerSession(self._token(scope), scope, scope["app"].state.engine, self.config)
        scope["session"] = session

        async def send_saving(message: Any) -> None:
            if message["type"] == "http.response.start" and session.loaded:
                cookie = await self._save(scope["app"], session)
                if cookie is not None:
                    message = {**message, "headers": [*message.get("headers", ()), (b"set-cookie", cookie.encode())]}
            await send(message)

        await self.app(scope, receive, send_saving)

    def _token(self, scope: Any) -> str | None:
        for name, value in scope["headers"]:
            if name == b"cookie":
                raw = value.decode("latin-1")
                if self.prefix in raw:
                    token = cookie_parser(raw).get(self.config.cookie)
                    if token:
                        return token
        return None

    async def _save(self, app: Any, session: ServerSession) -> str | None:
        """Writes what changed; the Set-Cookie header value to send, if any."""
        data, config, now = session.load(), self.config, clock.now()
        if not data:
            if session.row_id is None:
                # Nothing stored, nothing to end. An unknown cookie is left alone: it may be the old token of a sign-in
                # that another request of this browser has just rotated, and clearing it would clear the new one.
                return None
            row_id = session.row_id
            await in_transaction(app, lambda db: repository.remove(db, row_id))
            return self._cookie("", 0)
        idle = config.idle(data)
        dumped = _dump(data)
        if session.row_id is None or session.expired or config.who(data) != session.who:
            return await self._rotate(app, session, dumped, idle, now)
        changed = dumped != session.stored
        stale = session.last_seen is None or now - session.last_seen >= idle / TOUCH_FRACTION
        if not changed and not stale:
            return None
        row_id = session.row_id
        saved = await in_transaction(app, lambda db: repository.save(db, row_id, dumped if changed else None, now,
                                                                     now + idle))
        return self._cookie(session.token or "", idle) if saved else None

    async def _rotate(self, app: Any, session: ServerSession, dumped: str, idle: timedelta, now: datetime) -> str:
        """A new token for a new session, or for one whose sign-in changed; the old row, if any, ends."""
        token, old = secrets.token_urlsafe(32), session.row_id
        principals = self.config.principals(json.loads(dumped))

        def work(db: Session) -> None:
            if old is not None:
                repository.remove(db, old)
            repository.remove_some_expired(db, now)
            repository.add(db, _hash(token), dumped, principals, now, now + idle)

        await in_transaction(app, work)
        return self._cookie(token, idle)

    def _cookie(self, token: str, max_age: timedelta | int) -> str:
        seconds = int(max_age.total_seconds()) if isinstance(max_age, timedelta) else max_age
        cookie = f"{self.config.cookie}={token}; Path=/; Max-Age={seconds}; HttpOnly; SameSite=Lax"
        return f"{cookie}; Secure" if self.config.secure else cookie
