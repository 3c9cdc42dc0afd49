"""企业法人注册 page (/ent/register): no sign-in needed; on success the admin signs in on the console login page and
lands on the verification step (pages_verify.py). A USCC already held by a unit is refused with a 409 and kept as a
dispute for the health authority."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.exc import IntegrityError

from healthcode import clock
from healthcode.accounts import throttle
from healthcode.config import AppSettings
from healthcode.db import DbSession
from healthcode.enterprise import registration
from healthcode.web.console import console_page
from healthcode.web.forms import refusable

router = APIRouter(prefix="/ent", include_in_schema=False)


@router.get("/register", name="ent_register")
def form(request: Request) -> Response:
    return console_page(request, None, "ent/register.html", {"form": {}})


@router.post("/register")
def submit(request: Request, db: DbSession, settings: AppSettings, name: Annotated[str, Form()] = "",
           uscc: Annotated[str, Form()] = "",
           legal_name: Annotated[str, Form()] = "", legal_phone: Annotated[str, Form()] = "",
           legal_id_number: Annotated[str, Form()] = "",
           operator_name: Annotated[str, Form()] = "", operator_id_number: Annotated[str, Form()] = "",
           operator_phone: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
           confirm_password: Annotated[str, Form()] = "") -> Response:
    values = {"name": name, "uscc": uscc, "legal_name": legal_name, "legal_phone": legal_phone,
              "legal_id_number": legal_id_number, "operator_name": operator_name,
              "operator_id_number": operator_id_number, "operator_phone": operator_phone}
    data = registration.Registration(**values, password=password, confirm_password=confirm_password)
    client_ip = request.client.host if request.client else ""
    with refusable(db) as refused:
        throttle.hit_address(db, settings, throttle.REGISTER, client_ip or None, clock.now())
        try:
            with db.begin_nested():
                done = registration.register(db, data, clock.now(), client_ip=client_ip)
        except IntegrityError:
            # Another registration of the same USCC committed between the check and the insert (the database's
            # unique constraint caught it): now the check sees it, and this attempt becomes a dispute.
            done = registration.register(db, data, clock.now(), client_ip=client_ip)
    if refused:
        return console_page(request, None, "ent/register.html", {"form": values, "error": refused.message},
                            status_code=refused.status_code)
    if isinstance(done, registration.Disputed):
        return console_page(request, None, "ent/register.html", {"form": values, "error": done.message,
                                                                 "disputed": True}, status_code=409)
    return console_page(request, None, "ent/registered.html", {"username": done.username, "name": name.strip()})
