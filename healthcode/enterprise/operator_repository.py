"""Every query of enterprise operators (经办人): associations by person and by enterprise, and the audit rows."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from healthcode.accounts.models import Account
from healthcode.enterprise.operator_models import EnterpriseOperator, OperatorEvent
from healthcode.orgs.models import Org, OrgAdmin
from healthcode.residents.models import Person


def enterprises_of(session: Session, id_number: str) -> list[Org]:
    """The enterprises a person is an operator of, by name (not those whose account was deactivated)."""
    return list(session.scalars(
        select(Org).join(EnterpriseOperator, EnterpriseOperator.org_id == Org.id)
        .join(OrgAdmin, OrgAdmin.org_id == Org.id).join(Account, Account.id == OrgAdmin.account_id)
        .where(EnterpriseOperator.id_number == id_number, Org.kind == "enterprise", Account.active.is_(True))
        .order_by(Org.name, Org.id)
    ))


def operator(session: Session, org_id: int, id_number: str) -> EnterpriseOperator | None:
    return session.scalar(select(EnterpriseOperator).where(EnterpriseOperator.org_id == org_id,
                                                           EnterpriseOperator.id_number == id_number))


def operators_of(session: Session, org_id: int) -> list[EnterpriseOperator]:
    return list(session.scalars(
        select(EnterpriseOperator).where(EnterpriseOperator.org_id == org_id).order_by(EnterpriseOperator.id)
    ))


def remove(session: Session, org_id: int, operator_id: int) -> EnterpriseOperator | None:
    found = session.scalar(select(EnterpriseOperator).where(EnterpriseOperator.org_id == org_id,
                                                            EnterpriseOperator.id == operator_id))
    if found is not None:
        session.execute(delete(EnterpriseOperator).where(EnterpriseOperator.id == found.id))
    return found


def console_identity(session: Session, org_id: int, person_id: int) -> tuple[Person, Org, Account] | None:
    """The person, their enterprise and its admin account, while the person is still that enterprise's operator:
    one query on every console request, so a removal ends the operator's session at once."""
    row = session.execute(
        select(Person, Org, Account)
        .join(EnterpriseOperator, EnterpriseOperator.id_number == Person.id_number)
        .join(Org, Org.id == EnterpriseOperator.org_id)
        .join(OrgAdmin, OrgAdmin.org_id == Org.id).join(Account, Account.id == OrgAdmin.account_id)
        .where(Person.id == person_id, EnterpriseOperator.org_id == org_id, Org.kind == "enterprise",
               Account.active.is_(True))
        .order_by(OrgAdmin.id)
    ).first()
    return (row[0], row[1], row[2]) if row else None


def add_event(session: Session, event: OperatorEvent) -> None:
    session.add(event)
    session.flush()
