"""出入扫码服务 (seed 四.3): the scan point form, the scanning screen (number code, camera, photo, handheld scanner),
the result and the feedback. The page's script calls the checkpoint API itself; this module serves the page, decodes
uploaded photos (zxing-cpp), lists counties, and takes the point form when the page runs without script."""

from __future__ import annotations

import io
import json
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from healthcode import clock
from healthcode.checkpoints import pages, repository, service, views
from healthcode.checkpoints.models import AUTHORISED, Scanner
from healthcode.common import temperature
from healthcode.config import app_settings
from healthcode.db import DbSession
from healthcode.regions import divisions
from healthcode.web.forms import refusable
from healthcode.web.templating import WEB

router = APIRouter(prefix="/scanner", include_in_schema=False)
SESSION_POINT = "scanner_point_id"
MAX_PHOTO_BYTES = 8 * 1024 * 1024
FUJIAN = "35"
# What the scan page loads, kept on the phone by the service worker (the page itself is added to it).
SHELL = ("citizen.css", "scanner.css", "validation.js", "vendor/jsQR.js", "scanner-offline.js", "scanner-idcard.js",
         "scanner-token.js", "scanner.js")


def _authorised(request: Request, db: DbSession) -> Scanner | Response:
    scanner = pages.session_scanner(request, db)
    if scanner is None:
        return pages.to_login(request)
    if scanner.status != AUTHORISED:
        return RedirectResponse(request.url_for("scanner_home"), status_code=303)
    return scanner


@router.get("/service", name="scanner_service")
def service_page(request: Request, db: DbSession, edit: int = 0) -> Response:
    scanner = _authorised(request, db)
    if isinstance(scanner, Response):
        return scanner
    return _service_page(request, db, scanner, editing=bool(edit))


def _service_page(request: Request, db: DbSession, scanner: Scanner, *, editing: bool = False,
                  error: str | None = None, form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    points = [views.point_json(p) for p in repository.points_of_org(db, scanner.org_id)]
    current = next((p for p in points if p["id"] == request.session.get(SESSION_POINT)), None)
    org = service.scanner_org(db, scanner)
    default_region = (form or {}).get("region_code") or _default_county(org.region_code if org else None)
    return pages.page(request, "scanner/service.html", {
        "scanner": scanner, "org": org, "points": points, "current": current, "editing": editing or current is None,
        "counties": fujian_counties(), "default_region": default_region, "error": error, "form": form or {},
        "pass_reasons": list(app_settings(request).pass_reasons), "temperature_range": temperature.RANGE,
        "temperature_abnormal_from": temperature.ABNORMAL_FROM,
    }, status_code)


@router.post("/point", name="scanner_point")
def report_point(request: Request, db: DbSession, community: Annotated[str, Form()] = "",
                 name: Annotated[str, Form()] = "", address: Annotated[str, Form()] = "",
                 region_code: Annotated[str, Form()] = "", latitude: Annotated[str, Form()] = "",
                 longitude: Annotated[str, Form()] = "", point_id: Annotated[str, Form()] = "") -> Response:
    """The point form without script: choose one of the organisation's points, or report a new one."""
    scanner = _authorised(request, db)
    if isinstance(scanner, Response):
        return scanner
    if point_id.isdigit():
        chosen = repository.point(db, int(point_id))
        if chosen is not None and chosen.org_id == scanner.org_id:
            request.session[SESSION_POINT] = chosen.id
            return RedirectResponse(request.url_for("scanner_service"), status_code=303)
    form = {"community": community, "name": name, "address": address, "region_code": region_code}
    with refusable(db) as refused:
        point = service.add_point(db, scanner, community=community, name=name, address=address,
                                  region_code=region_code, latitude=_float(latitude), longitude=_float(longitude),
                                  now=clock.now())
    if refused:
        return _service_page(request, db, scanner, editing=True, error=refused.message, form=form,
                             status_code=refused.status_code)
    request.session[SESSION_POINT] = point.id
    return RedirectResponse(request.url_for("scanner_service"), status_code=303)


@router.post("/decode", name="scanner_decode")
async def decode_photo(request: Request, db: DbSession, photo: Annotated[UploadFile, File()]) -> Response:
    """拍照识别: the QR text in an uploaded photo (zxing-cpp); the page then sends it to the scan API as usual."""
    scanner = pages.session_scanner(request, db)
    if scanner is None or scanner.status != AUTHORISED:
        return JSONResponse({"error": "not_authorised", "message": "请先以已授权的扫码员身份登录"}, status_code=403)
    data = await photo.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        return _photo_error("照片过大（不超过8MB），请重新拍摄")
    text = decode_qr(data)
    if text is None:
        return _photo_error("照片中未识别到二维码，请对准健康码重新拍摄")
    return JSONResponse({"text": text}, headers=pages.NO_STORE)


def decode_qr(data: bytes) -> str | None:
    """The text of the first QR code in an image, or None (not an image, or no QR in it)."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    image.thumbnail((2000, 2000))  # phone photos are large; the QR stays readable and decoding stays fast
    found = [b for b in zxingcpp.read_barcodes(image.convert("L")) if b.format == zxingcpp.BarcodeFormat.QRCode]
    return found[0].text if found else None


@router.get("/sw.js", name="scanner_service_worker")
def service_worker(request: Request) -> Response:
    """The service worker that keeps 出入扫码服务 usable offline (static/scanner-sw.js); served here, not under
    /static/, because a worker only controls pages under its own path."""
    shell = [request.url_for("scanner_service").path] + [request.url_for("static", path=name).path for name in SHELL]
    script = _worker_source().replace("/*SHELL*/[]", json.dumps(shell))
    return Response(script, media_type="application/javascript", headers={"Cache-Control": "no-cache"})


@lru_cache(maxsize=1)
def _worker_source() -> str:
    return (WEB / "static" / "scanner-sw.js").read_text(encoding="utf-8")


@router.get("/counties.json", name="scanner_counties")
def counties_json() -> Response:
    """Every county-level division, Fujian's first, for the point form's 其他省份 choice."""
    return JSONResponse(all_counties(), headers={"Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=1)
def all_counties() -> list[dict[str, str]]:
    return [{"code": d.code, "name": divisions.short_name(d.code), "province": _province(d.code)}
            for d in divisions.counties()]


@lru_cache(maxsize=1)
def fujian_counties() -> list[dict[str, str]]:
    return [c for c in all_counties() if c["code"].startswith(FUJIAN)]


def _province(code: str) -> str:
    division = divisions.get(code[:2] + "0000")
    return division.name if division else ""


def _default_county(region_code: str | None) -> str:
    if region_code and len(region_code) == 6 and not region_code.endswith("00"):
        return region_code
    return fujian_counties()[0]["code"]


def _photo_error(message: str) -> Response:
    return JSONResponse({"error": "no_qr", "message": message}, status_code=422)


def _float(value: str) -> float | None:
    try:
        return float(value) if value.strip() else None
    except ValueError:
        return None
