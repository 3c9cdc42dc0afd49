"""`GET /healthz` and `GET /readyz` (SPEC section 11), for load balancers and for measuring: anyone may call them,
they need no session (none is read, no cookie is set), they show nothing about the platform's data, and admission
control never holds them (web/admission.py). Their successful calls are left out of the access log
(`logmask.QuietProbes`): a load balancer asks every few seconds.

- `/healthz`: the process is up and its event loop answers; the database is not touched. The cheapest request of the
  app, the yardstick of the per-request CPU figures (docs/performance.md).
- `/readyz`: the database answers a `SELECT 1` within `READY_TIMEOUT_SECONDS`; 503 otherwise. One probe runs at a
  time per process, in a worker thread; callers that come while it runs share its answer, so a database that hangs
  costs one thread, not one per call."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from healthcode.db import ping
from healthcode.web.templating import _

router = APIRouter(tags=["operations"])

READY_TIMEOUT_SECONDS = 1.0
OK = b'{"status":"ok"}'
NO_STORE = {"Cache-Control": "no-store"}
NOT_READY = {"error": "not_ready", "message": _("数据库暂时无法访问，请稍后再试")}


@router.get("/healthz", name="healthz", responses={200: {"description": '`{"status": "ok"}`'}})
async def healthz() -> Response:
    """The process is up (the database is not asked)."""
    return Response(OK, media_type="application/json", headers=NO_STORE)


@router.get("/readyz", name="readyz", responses={200: {"description": '`{"status": "ok"}`'},
                                                  503: {"description": "the database does not answer"}})
async def readyz(request: Request) -> Response:
    """The database answers a `SELECT 1` within a second."""
    state = request.app.state
    probe: asyncio.Future[Any] | None = getattr(state, "ready_probe", None)
    if probe is None or probe.done():
        probe = state.ready_probe = asyncio.ensure_future(run_in_threadpool(ping, state.engine))
    try:
        await asyncio.wait_for(asyncio.shield(probe), READY_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - timed out, or whatever the driver raised: not ready either way
        return JSONResponse(NOT_READY, status_code=503, headers=NO_STORE)
    return Response(OK, media_type="application/json", headers=NO_STORE)
