"""Printed cards on the citizen portal (纸质健康码, issue 16): from the family page, a resident prints the A6 card PDF
of himself or of a relative whose link is active (anyone else: 404), and revokes it (作废). Printing a card revokes
the person's older card. A relative's card printed or revoked is logged in his data access record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from healthcode import clock
from healthcode.citizen.pages import NO_STORE, family_page
from healthcode.codes import card_pdf, cards
from healthcode.config import AppSettings
from healthcode.db import DbId, DbSession
from healthcode.identity.relyingparty import MaybeResident
from healthcode.residents import family
from healthcode.residents.models import Person
from healthcode.web.forms import refusable

router = APIRouter(prefix="/citizen", include_in_schema=False)


def _by(person: Person) -> str:
    """Who printed or revoked a card, without personal data."""
    return f"resident:{person.id}"


def _pdf(card: cards.Card, settings: AppSettings) -> Response:
    body = card_pdf.render(card, settings.card_font_path)
    return Response(body, media_type="application/pdf", headers={
        **NO_STORE, "Content-Disposition": f'attachment; filename="healthcode-card-{card.serial}.pdf"'})


def _done(request: Request, done: str) -> Response:
    return RedirectResponse(str(request.url_for("citizen_family").include_query_params(done=done)), status_code=303)


@router.post("/card", name="citizen_card_print")
def print_own(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings) -> Response:
    """The signed-in resident's own card (a card shows no colour: an orange resident may print his own)."""
    if person is None:
        return RedirectResponse(request.url_for("citizen_home"), status_code=303)
    with refusable(db) as refused:
        card = cards.print_card(db, settings, person, clock.now(), _by(person))
    if refused:
        return family_page(request, db, person, refused.message, status_code=refused.status_code)
    return _pdf(card, settings)


@router.post("/card/revoke", name="citizen_card_revoke")
def revoke_own(request: Request, db: DbSession, person: MaybeResident) -> Response:
    """Revokes the signed-in resident's own card, whoever printed it (a relative's applicant included)."""
    if person is None:
        return RedirectResponse(request.url_for("citizen_home"), status_code=303)
    with refusable(db) as refused:
        cards.revoke(db, person, clock.now(), _by(person))
    if refused:
        return family_page(request, db, person, refused.message, status_code=refused.status_code)
    return _done(request, "card_revoked")


@router.post("/family/{member_id}/card", name="citizen_member_card_print")
def print_member(request: Request, db: DbSession, person: MaybeResident, settings: AppSettings,
                 member_id: DbId) -> Response:
    """A relative's card: only through an active link (else 404), and not by an orange applicant (Fujian's rule for
    applying for others)."""
    if person is None:
        return RedirectResponse(request.url_for("citizen_home"), status_code=303)
    now = clock.now()
    relative = family.member(db, person, member_id, now).person
    with refusable(db) as refused:
        family.ensure_may_apply_for_others(db, settings, person, now)
        card = cards.print_card(db, settings, relative, now, _by(person))
        family.record_view(db, person, relative, "card", now)
    if refused:
        return family_page(request, db, person, refused.message, status_code=refused.status_code)
    return _pdf(card, settings)


@router.post("/family/{member_id}/card/revoke", name="citizen_member_card_revoke")
def revoke_member(request: Request, db: DbSession, person: MaybeResident, member_id: DbId) -> Response:
    if person is None:
        return RedirectResponse(request.url_for("citizen_home"), status_code=303)
    now = clock.now()
    relative = family.member(db, person, member_id, now).person
    with refusable(db) as refused:
        cards.revoke(db, relative, now, _by(person))
        family.record_view(db, person, relative, "card_revoked", now)
    if refused:
        return family_page(request, db, person, refused.message, status_code=refused.status_code)
    return _done(request, "card_revoked")
