"""The FastAPI application: mounts each domain's API and pages, static files, and maps domain errors."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from healthcode import clock, datadir, logmask
from healthcode.config import Settings, get_settings
from healthcode.db import close_hot_connections, make_engine, migrate, session_factory, wal_checkpoints
from healthcode.web import errors
from healthcode.web.admission import Admission, Limits
from healthcode.web.headers import SecurityHeaders
from healthcode.web.origin import SameOriginOnly
from healthcode.web.templating import WEB


def create_app(
    settings: Settings | None = None, engine: Engine | None = None, *, run_migrations: bool = True
) -> FastAPI:
    """The app, and everything in it, runs on `settings` (the environment's when none are given): routes and pages
    reach them through `config.AppSettings`, and this process's clock and temporary folder follow them."""
    settings = settings or get_settings()
    clock.configure(settings)
    logmask.install()
    datadir.secure(settings.data_dir)  # 0700, and this process's temporary folder (what a crash left is removed)
    if engine is None:
        engine = make_engine(settings.sqlalchemy_url)
        if run_migrations:
            from healthcode.checkpoints import partitions

            migrate(engine)
            partitions.prepare_for(engine, settings)  # PostgreSQL: the scans' partitions of the coming days
    # The API docs page is the platform's own (web/pages.py): Swagger UI served from /static, no CDN, no inline script.
    app = FastAPI(title="八闽健康码", docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None,
                  openapi_url="/api/openapi.json", lifespan=_lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    app.state.hot_connections = []  # connections kept open for the hot routes (db.in_transaction)
    app.state.identity_provider = {}  # the identity platform's discovery document and keys (identity.provider)
    # SQLite: every request transaction, one at a time; PostgreSQL: only the hot routes' (see db.db_turn).
    sqlite = engine.dialect.name == "sqlite"
    app.state.db_gate = asyncio.Lock() if sqlite else None
    app.state.hot_gate = app.state.db_gate if sqlite else asyncio.Semaphore(settings.db_request_concurrency)

    from healthcode.checkpoints.routes import router as checkpoint_router
    from healthcode.citizen.pages import api_router as citizen_api_router
    from healthcode.codes.routes import router as codes_router
    from healthcode.feeds.routes import router as feeds_router
    from healthcode.web.health import router as health_router
    from healthcode.web.pages import router as home_router

    # The morning rush's routers first (the checkpoint API, the citizen's code): every router included before a
    # route costs a match on each of its requests. The probes before them: two matches, and /healthz stays the
    # cheapest request of the app (the yardstick of docs/performance.md).
    app.include_router(health_router)
    app.include_router(checkpoint_router)
    app.include_router(citizen_api_router)
    app.include_router(home_router)
    app.include_router(feeds_router)
    app.include_router(codes_router)
    _mount_checkpoints(app)
    _mount_sessions(app, settings)
    _mount_citizen(app, settings)
    _mount_enterprise(app)
    _mount_console(app)
    _mount_scanner(app, settings)
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")
    app.add_middleware(SameOriginOnly, allowed=settings.allowed_origins)
    if settings.admission:  # before the session is read: a refused request costs no database work
        app.add_middleware(Admission, limits=admission_limits(settings, sqlite))
    app.add_middleware(SecurityHeaders, hsts=settings.env == "prod")  # outermost: its refusals get them too
    errors.install(app)
    return app


ADMISSION_IN_FLIGHT = {True: 4, False: 16}  # by "is it SQLite": docs/performance.md, "Morning rush"


def admission_limits(settings: Settings, sqlite: bool) -> Limits:
    in_flight = settings.admission_in_flight or ADMISSION_IN_FLIGHT[sqlite]
    return Limits(in_flight=in_flight, queue=settings.admission_queue,
                  wait_seconds=settings.admission_wait_ms / 1000,
                  retry_after_seconds=settings.admission_retry_after_seconds)


GC_YOUNG_THRESHOLD = 20_000


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves: SQLite's log checkpoints (`db.wal_checkpoints`), the SMS dispatcher when a gateway is
    configured (`messages.dispatch.in_server`), PostgreSQL's scan partitions of the coming days
    (`checkpoints.partitions.in_server`), and the objects made at start-up (routes, models, templates, the
    rule set) moved out of the garbage collector's sight. Every full collection walked all of them: pauses that
    doubled the p99 of a scan (docs/performance.md). Both garbage-collector settings are process-wide and undone
    when the app stops."""
    from healthcode.checkpoints import partitions
    from healthcode.messages import dispatch

    gc.freeze()
    thresholds = gc.get_threshold()
    # The young generation collected after 20,000 net new container objects instead of 700: with dozens of requests
    # in flight it ran thousands of times a second (docs/performance.md, "Measured choices").
    gc.set_threshold(GC_YOUNG_THRESHOLD, *thresholds[1:])
    try:
        async with wal_checkpoints(app), dispatch.in_server(app), partitions.in_server(app):
            yield
    finally:
        close_hot_connections(app)
        gc.set_threshold(*thresholds)
        gc.unfreeze()  # the objects of an app that stops (tests start hundreds) can be collected again


def _mount_checkpoints(app: FastAPI) -> None:
    """Sign-in tokens, the organisation admin API and region levels (the checkpoint API is mounted first)."""
    from healthcode.accounts.routes import router as auth_router
    from healthcode.console.routes import router as org_router
    from healthcode.regions.routes import router as regions_router

    for router in (auth_router, org_router, regions_router):
        app.include_router(router)


def _mount_citizen(app: FastAPI, settings: Settings) -> None:
    """Real-name sign-in, the citizen portal (its code API is mounted first), and (never in production) the
    development identity provider."""
    from healthcode.appeals import citizen_pages as appeal_pages
    from healthcode.citizen import access_pages, card_pages
    from healthcode.citizen import pages as citizen_pages
    from healthcode.identity import devprovider, relyingparty

    app.include_router(relyingparty.router)
    app.include_router(citizen_pages.router)
    app.include_router(access_pages.router)
    app.include_router(card_pages.router)
    app.include_router(appeal_pages.router)
    if settings.env != "prod":
        app.include_router(devprovider.router)


def _mount_sessions(app: FastAPI, settings: Settings) -> None:
    """`request.session` for every portal, kept on the server (healthcode/sessions), with the session keys that say
    who is signed in: their idle limits, and the columns by which a revocation finds their sessions."""
    from healthcode.checkpoints import pages as scanner_pages
    from healthcode.identity import relyingparty
    from healthcode.orgs import console_auth
    from healthcode.sessions.middleware import Config, ServerSessions, SignIn

    console = SignIn(timedelta(minutes=settings.session_idle_console_minutes))
    scanner = SignIn(timedelta(minutes=settings.session_idle_scanner_minutes))
    citizen = timedelta(minutes=settings.session_idle_citizen_minutes)
    sign_ins = {
        console_auth.SESSION_ACCOUNT: replace(console, column="console_account_id"),
        console_auth.SESSION_VERSION: console, console_auth.SESSION_OPERATOR: console,
        scanner_pages.SESSION_ACCOUNT: replace(scanner, column="scanner_account_id"),
        scanner_pages.SESSION_VERSION: scanner,
        relyingparty.SESSION_KEY: SignIn(citizen, column="person_id"),
    }
    config = Config(cookie="healthcode_session", secure=settings.env == "prod", sign_ins=sign_ins,
                    signed_out_idle=timedelta(minutes=settings.session_idle_signed_out_minutes))
    app.add_middleware(ServerSessions, config=config)


def _mount_console(app: FastAPI) -> None:
    """The government console (/gov): login, records, authorisation, reports, account retrieval, and the health
    authority's region-level, rule-set, feed and SMS delivery pages. Uses the session installed by `_mount_sessions`."""
    from healthcode.appeals import pages as appeal_pages
    from healthcode.console import pages as console_pages
    from healthcode.console import records_pages, reports_pages
    from healthcode.enterprise import pages_realname
    from healthcode.feeds import pages as feed_pages
    from healthcode.history import pages as audit_pages
    from healthcode.manualflags import pages as flag_pages
    from healthcode.messages import pages as sms_pages
    from healthcode.orgs import console_auth, export_pages, operators, users_pages
    from healthcode.regions import pages as region_pages
    from healthcode.rules import pages as rule_pages

    for module in (console_auth, console_pages, records_pages, reports_pages, region_pages, rule_pages, feed_pages,
                   export_pages, sms_pages, audit_pages, flag_pages, users_pages, appeal_pages):
        app.include_router(module.router)
    # Who is signed in to the console (web/console.py): a unit admin, else an enterprise operator by real name.
    app.state.console_sign_ins = (console_auth.signed_in_admin, pages_realname.signed_in_operator)
    # How a stored 操作人 reads on the pages of the packages below orgs (web/console.operator_labels).
    app.state.operator_labels = operators.labels


def _mount_scanner(app: FastAPI, settings: Settings) -> None:
    """扫码端 (/scanner): login, registration, 出入扫码服务, offline-scan upload, and (never in production) /dev/sms."""
    from healthcode.checkpoints import offline_routes, pages_scan
    from healthcode.checkpoints import pages as scanner_pages

    for router in (scanner_pages.router, pages_scan.router, offline_routes.router):
        app.include_router(router)
    if settings.env != "prod":
        app.include_router(scanner_pages.dev_router)


def _mount_enterprise(app: FastAPI) -> None:
    """企业用户电脑端 (/ent), enterprise registration, and the residents' health reports and inbox (/citizen)."""
    from healthcode.enterprise import (
        ca_login,
        citizen_employers,
        citizen_pages,
        pages,
        pages_disputes,
        pages_employees,
        pages_exports,
        pages_realname,
        pages_register,
        pages_verify,
        routes,
    )
    from healthcode.orgs import console_auth
    from healthcode.web.errors import PendingVerification

    for router in (console_auth.ent_router, pages_register.router, ca_login.router, pages.router,
                   pages_employees.router, citizen_pages.router,
                   citizen_employers.router, routes.router, pages_realname.router, pages_verify.router,
                   pages_disputes.router, pages_exports.router):
        app.include_router(router)
    # A pending registration's page (more specific than DomainError's handler, so it wins for this error).
    app.add_exception_handler(PendingVerification, pages_verify.pending_page)  # type: ignore[arg-type]
