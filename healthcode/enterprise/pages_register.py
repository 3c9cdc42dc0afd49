"""企业法人注册 page (/ent/register): no sign-in needed; on success the admin signs in on the console login page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from healthcode import clock
from healthcode.accounts import throttle
from healthcode.db import DbSession
from healthcode.enterprise import registration
from healthcode.errors import DomainError
from healthcode.orgs.console_auth import console_page

router = APIRouter(prefix="/ent", include_in_schema=False)
FIELDS = ("name", "uscc", "legal_name", "legal_phone", "operator_name", "operator_id_number", "operator_phone")


@router.get("/register", name="ent_register")
def form(request: Request) -> Response:
    return console_page(request, None, "ent/register.html", {"form": {}})


@router.post("/register")
def submit(request: Request, db: DbSession, name: Annotated[str, Form()] = "", uscc: Annotated[str, Form()] = "",
           legal_name: Annotated[str, Form()] = "", legal_phone: Annotated[str, Form()] = "",
           operator_name: Annotated[str, Form()] = "", operator_id_number: Annotated[str, Form()] = "",
           operator_phone: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
           confirm_password: Annotated[str, Form()] = "") -> Response:
    values = {"name": name, "uscc": uscc, "legal_name": legal_name, "legal_phone": legal_phone,
              "operator_name": operator_name, "operator_id_number": operator_id_number,
              "operator_phone": operator_phone}
    try:
        throttle.hit_address(db, request.app.state.settings, throttle.REGISTER,
                             request.client.host if request.client else None, clock.now())
        with db.begin_nested():
            done = registration.register(db, registration.Registration(
                **values, password=password, confirm_password=confirm_password), clock.now())
    except DomainError as exc:
        return console_page(request, None, "ent/register.html", {"form": values, "error": exc.message},
                            status_code=exc.status_code)
    return console_page(request, None, "ent/registered.html", {"username": done.username, "name": name.strip()})
