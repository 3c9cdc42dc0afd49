"""Every access to one resident's data by someone else, from the logs that record them: scans of his code and checks
of his ID card (`scans`), views in the consoles (`console_data_access`: government views with their stated purpose,
enterprise views and exports of his reports) and showings of his code by a relative (`family_views`). One query,
newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, String, case, func, literal, select, union_all
from sqlalchemy.orm import Session, aliased

from healthcode.checkpoints.models import Scan, ScanPoint
from healthcode.orgs.audit_models import DataAccess
from healthcode.orgs.models import Org
from healthcode.residents.family_models import FamilyLink, FamilyView
from healthcode.residents.models import Person


def _scans(person_id: int) -> Any:
    # A check by ID card instead of a code (刷身份证, issue 16) is its own kind: the resident sees which it was.
    kind = case((Scan.via == "id_card", literal("id_card", String)), else_=literal("scan", String))
    return (select(Scan.at.label("at"), Scan.id.label("ref"), kind.label("kind"),
                   Org.name.label("unit"), Org.kind.label("unit_kind"), ScanPoint.community.label("a"),
                   ScanPoint.name.label("b"))
            .join(ScanPoint, ScanPoint.id == Scan.point_id).join(Org, Org.id == Scan.org_id)
            .where(Scan.person_id == person_id))


def _views(person_id: int) -> Any:
    return (select(DataAccess.at.label("at"), DataAccess.id.label("ref"), DataAccess.subject.label("kind"),
                   Org.name.label("unit"), Org.kind.label("unit_kind"), DataAccess.purpose.label("a"),
                   literal("", String).label("b"))
            .join(Org, Org.id == DataAccess.org_id).where(DataAccess.person_id == person_id))


def _family(person_id: int) -> Any:
    owner = aliased(Person)
    relation = (select(FamilyLink.relation).where(FamilyLink.owner_id == FamilyView.owner_id,
                                                  FamilyLink.member_id == FamilyView.member_id)
                .limit(1).scalar_subquery())
    return (select(FamilyView.at.label("at"), FamilyView.id.label("ref"), literal("family", String).label("kind"),
                   owner.name.label("unit"), literal("person", String).label("unit_kind"),
                   FamilyView.what.label("a"), func.coalesce(relation, "").label("b"))
            .join(owner, owner.id == FamilyView.owner_id).where(FamilyView.member_id == person_id))


def accesses(session: Session, person_id: int, *, offset: int, limit: int) -> Sequence[Row[Any]]:
    everything = union_all(_scans(person_id), _views(person_id), _family(person_id)).subquery()
    order = (everything.c.at.desc(), everything.c.kind, everything.c.ref.desc())
    return session.execute(select(everything).order_by(*order).offset(offset).limit(limit)).all()


def count_accesses(session: Session, person_id: int) -> int:
    return sum(session.scalar(select(func.count()).select_from(q.subquery())) or 0
               for q in (_scans(person_id), _views(person_id), _family(person_id)))
