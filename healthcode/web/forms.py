"""The one way a page runs a form's work: in a savepoint, so that a refusal (a DomainError) leaves nothing behind but
the counts kept of it (healthcode/db/survive.py), while the page renders the form again with the refusal's message and
status. The request itself goes on and commits what the page does next (an audit row of the refusal, say).

    with refusable(db) as refused:
        employee = service.add_employee(db, ...)
    if refused:
        return _employees_page(request, db, admin, error=refused.message, status_code=refused.status_code)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.orm import Session

from healthcode.db.survive import savepoint
from healthcode.errors import DomainError


@dataclass
class Refusal:
    """What a form's work was refused with: false while nothing refused it."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        assert self.error is not None, "read only when refused"
        return self.error.message

    @property
    def status_code(self) -> int:
        assert self.error is not None, "read only when refused"
        return self.error.status_code


@contextmanager
def refusable(db: Session) -> Iterator[Refusal]:
    """Runs the block in a savepoint of the request's transaction. A DomainError raised in it rolls the savepoint
    back and is held by the Refusal (the block stops there); any other error goes on as usual."""
    refusal = Refusal()
    try:
        with savepoint(db):
            yield refusal
    except DomainError as exc:
        refusal.error = exc
