"""Family codes (为家人申领): a signed-in resident applies for codes on behalf of children and elderly relatives.

Fujian's rule: an orange-code holder cannot apply for others. A family member's code is shown by the applicant, and
their initial region, when not yet known, becomes the applicant's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from healthcode.errors import Conflict, Forbidden, Invalid, NotFound
from healthcode.residents import family_repository as repository
from healthcode.residents.family_models import FamilyLink, FamilyView
from healthcode.residents.ids import InvalidIdNumber, normalize_id_number
from healthcode.residents.models import Person

MAX_MEMBERS = 5
RELATIONS = ("子女", "父母", "配偶", "祖父母/外祖父母", "孙子女/外孙子女", "兄弟姐妹", "其他亲属")


@dataclass(frozen=True)
class Member:
    person: Person
    relation: str
    added_at: datetime


class OrangeCannotApply(Forbidden):
    code = "orange_cannot_apply"


def ensure_may_apply_for_others(session: Session, owner: Person, now: datetime) -> None:
    """Refuses an applicant whose own code is not green (Fujian: 橙码人员不能为他人申领)."""
    from healthcode.rules.service import status_for

    if status_for(session, owner.id_number, now).color != "green":
        raise OrangeCannotApply("您当前为橙码，按规定不能为他人申领健康码；转为绿码后可再为家人申领")


def add_member(session: Session, owner: Person, *, name: str, id_number: str, relation: str, now: datetime) -> Member:
    """Links a relative (created as a Person if new) to the applicant. Checks everything before changing anything."""
    name = name.strip()
    if not name:
        raise Invalid("请填写家人姓名")
    if relation not in RELATIONS:
        raise Invalid("请选择与家人的关系")
    try:
        number = normalize_id_number(id_number, now.date())
    except InvalidIdNumber as exc:
        raise Invalid(str(exc)) from exc
    if number == owner.id_number:
        raise Invalid("不能把自己添加为家人")
    ensure_may_apply_for_others(session, owner, now)
    links = repository.links_of(session, owner.id)
    if len(links) >= MAX_MEMBERS:
        raise Conflict(f"最多可为{MAX_MEMBERS}位家人申领健康码")
    person = repository.person_by_id_number(session, number)
    known_name = person.name if person is not None else repository.household_name(session, number)
    if known_name is not None and known_name != name:
        raise Invalid("姓名与身份证号不一致，请核对后重新填写")
    if person is not None and any(link.member_id == person.id for link in links):
        raise Conflict("该家人已添加")
    if person is None:
        person = Person(id_number=number, name=name, created_at=now)
        session.add(person)
        session.flush()
    link = FamilyLink(owner_id=owner.id, member_id=person.id, relation=relation, created_at=now)
    session.add(link)
    session.flush()
    return Member(person, relation, now)


def members(session: Session, owner: Person) -> list[Member]:
    return [Member(person, link.relation, link.created_at) for link, person in repository.members_of(session, owner.id)]


def member(session: Session, owner: Person, member_id: int) -> Member:
    """One of the applicant's family members; NotFound for anyone else (no peeking at strangers' codes)."""
    found = repository.member_of(session, owner.id, member_id)
    if found is None:
        raise NotFound("没有找到这位家人")
    link, person = found
    return Member(person, link.relation, link.created_at)


def remove_member(session: Session, owner: Person, member_id: int) -> None:
    found = repository.member_of(session, owner.id, member_id)
    if found is None:
        raise NotFound("没有找到这位家人")
    session.delete(found[0])
    session.flush()


def record_view(session: Session, owner: Person, member_person: Person, what: str, now: datetime) -> None:
    """Logs that `owner` was shown `member_person`'s code or reasons (SPEC section 10)."""
    repository.add_view(session, FamilyView(owner_id=owner.id, member_id=member_person.id, what=what, at=now))
