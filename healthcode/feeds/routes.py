"""Feed API for data providers (SPEC section 4): batch upload and the realtime push of one record (docs/feeds.md)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Header, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute

from healthcode.config import AppSettings
from healthcode.db import DbSession, transaction
from healthcode.feeds import schemas, views
from healthcode.feeds.errors import InvalidRecord
from healthcode.feeds.providers import authenticate, feed_for_provider
from healthcode.feeds.service import push_record, receive_batch
from healthcode.web.schemas import ApiError, documented

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds"])

ApiKey = Annotated[str | None, Header(alias="X-API-Key")]


class ProviderKeyFirst(APIRoute):
    """Checks the provider's key, and that it may write the feed, before the request body is read: FastAPI reads a
    form body before any dependency runs, so a stranger could otherwise make the server receive a file of any size."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def key_first(request: Request) -> Response:
            await run_in_threadpool(_may_upload, request)
            return await handler(request)

        return key_first


def _may_upload(request: Request) -> None:
    with transaction(request.app.state.engine) as session:
        feed_for_provider(authenticate(session, request.headers.get("X-API-Key")), request.path_params["feed"])


def upload_batch(request: Request, settings: AppSettings, feed: str, file: Annotated[UploadFile, File()],
                 x_api_key: ApiKey = None) -> JSONResponse:
    """上传一个批次文件（.csv / .xlsx / .jsonl）：200 已应用或重复，422 已拒绝。"""
    report = receive_batch(request.app.state.engine, settings, x_api_key, feed, file.filename or "", file.file)
    return JSONResponse(report.as_json(), status_code=422 if report.status == "rejected" else 200)


router.add_api_route("/{feed}/batches", upload_batch, methods=["POST"], route_class_override=ProviderKeyFirst,
                    **documented(schemas.BatchReport, 401, 403, 404, 413, 422,
                                 overrides={422: schemas.BatchReport | ApiError}))


@router.post("/{feed}/records", status_code=201,
             **documented(schemas.StoredRecord, 401, 403, 404, 422, status=201, overrides={422: schemas.RecordRefused}))
def push(feed: str, session: DbSession, record: Annotated[dict[str, Any], Body()], x_api_key: ApiKey = None
         ) -> Any:
    """实时推送一条记录（仅 cases、close_contacts）。"""
    provider = authenticate(session, x_api_key)
    target = feed_for_provider(provider, feed)
    try:
        return views.stored_record_json(push_record(session, provider, target, record))
    except InvalidRecord as exc:
        return JSONResponse({"error": exc.code, "message": exc.message,
                             "bad_rows": [e.as_json() for e in exc.errors]}, status_code=422)
