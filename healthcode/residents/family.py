"""Family codes (为家人申领): a signed-in resident applies for codes on behalf of children and elderly relatives.

Fujian's rule: an orange-code holder cannot apply for others. A family member's code is shown by the applicant, and
their initial region, when not yet known, becomes the applicant's.

Knowing a name and an ID number is not enough: a link shows the relative's code only while it is active, that is
when the relative confirmed it from his own sign-in, or when guardianship holds from official data (the relative is
under 14 or 70 and over, and lives in the applicant's household in the current 户籍 snapshot). A relative who
refused or ended a link is never shown through it. See docs/decisions.md ("Consent").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from healthcode.common.ids import InvalidIdNumber, id_facts, normalize_id_number
from healthcode.common.masking import mask_id_number, mask_name
from healthcode.config import Settings
from healthcode.errors import Conflict, Invalid, NotFound
from healthcode.residents import family_repository as repository
from healthcode.residents import repository as people
from healthcode.residents import service as registry
from healthcode.residents.errors import OrangeCannotApply
from healthcode.residents.family_models import FamilyLink, FamilyView
from healthcode.residents.models import Person
from healthcode.rules.service import status_for

MAX_MEMBERS = 5
RELATIONS = ("子女", "父母", "配偶", "祖父母/外祖父母", "孙子女/外孙子女", "兄弟姐妹", "其他亲属")
MINOR_BELOW, ELDERLY_FROM = 14, 70  # ages at which a guardian may show a relative's code without his confirmation
ALREADY_ADDED = "该家人已添加"
STATE_LABELS = {"active": "已关联", "pending": "待对方确认", "refused": "对方已拒绝"}


@dataclass(frozen=True)
class Member:
    person: Person
    relation: str
    added_at: datetime
    state: str = "active"  # active / pending / refused
    link_id: int = 0
    entered_name: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def shown_name(self) -> str:
        """The real name once the link is active; before, only the name the applicant entered."""
        return self.person.name if self.state == "active" or not self.entered_name else self.entered_name


def age_on(id_number: str, day: date) -> int:
    birth = id_facts(id_number).birth_date
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def guardianship(session: Session, applicant: Person, relative: Person, now: datetime) -> bool:
    """The applicant may show the relative's code without his confirmation: the relative is under 14 or 70 and over
    (age from the ID number and the platform clock), and both live at the same address in the current households
    snapshot (户籍: same county, same normalised address)."""
    age = age_on(relative.id_number, now.date())
    if MINOR_BELOW <= age < ELDERLY_FROM:
        return False
    return repository.same_household(session, applicant.id_number, relative.id_number)


def link_state(session: Session, link: FamilyLink, applicant: Person, relative: Person, now: datetime) -> str:
    if link.refused_at is not None:
        return "refused"
    if link.confirmed_at is not None or guardianship(session, applicant, relative, now):
        return "active"
    return "pending"


def ensure_may_apply_for_others(session: Session, settings: Settings, owner: Person, now: datetime) -> None:
    """Refuses an applicant whose own code is not green (Fujian: 橙码人员不能为他人申领)."""
    if status_for(session, settings, owner.id_number, now).color != "green":
        raise OrangeCannotApply()


def add_member(session: Session, settings: Settings, owner: Person, *, name: str, id_number: str, relation: str,
               now: datetime) -> Member:
    """Links a relative (created as a Person if new) to the applicant. Checks everything before changing anything.
    The name is not compared with the real name (that would tell a stranger whose ID number it is): the link waits
    for the relative, who sees the name entered, unless guardianship from official data holds whatever the name."""
    name = name.strip()
    if not name:
        raise Invalid("请填写家人姓名")
    if len(name) > 30:
        raise Invalid("家人姓名不能超过30个字")
    if relation not in RELATIONS:
        raise Invalid("请选择与家人的关系")
    try:
        number = normalize_id_number(id_number, now.date())
    except InvalidIdNumber as exc:
        raise Invalid(str(exc)) from exc
    if number == owner.id_number:
        raise Invalid("不能把自己添加为家人")
    ensure_may_apply_for_others(session, settings, owner, now)
    links = repository.links_of(session, owner.id)
    if sum(1 for link in links if link.refused_at is None) >= MAX_MEMBERS:
        raise Conflict(f"最多可为{MAX_MEMBERS}位家人申领健康码")
    person = people.person_by_id_number(session, number)
    if person is None:  # the household's name when 户籍 knows the number: the applicant's name is only his entry
        # (or the row a concurrent request stored since the look-up: his own sign-in, another applicant's link)
        person = registry.add_or_existing(session, Person(
            id_number=number, name=repository.household_name(session, number) or name, created_at=now))
    if any(link.member_id == person.id for link in links):
        raise Conflict(ALREADY_ADDED)
    link = FamilyLink(owner_id=owner.id, member_id=person.id, relation=relation, name=name, created_at=now)
    try:
        with session.begin_nested():  # a double-tapped 添加 may have stored the same link since `links` was read
            session.add(link)
    except IntegrityError as exc:
        raise Conflict(ALREADY_ADDED) from exc
    return Member(person, relation, now, link_state(session, link, owner, person, now), link.id, name)


def members(session: Session, owner: Person, now: datetime) -> list[Member]:
    return [Member(person, link.relation, link.created_at, link_state(session, link, owner, person, now), link.id,
                   link.name) for link, person in repository.members_of(session, owner.id)]


def member(session: Session, owner: Person, member_id: int, now: datetime) -> Member:
    """One of the applicant's family members whose link is active; NotFound for anyone else, and for a link the
    relative has not confirmed (no peeking at strangers' codes: knowing a name and an ID number is not enough)."""
    found = repository.member_of(session, owner.id, member_id)
    if found is None or link_state(session, found[0], owner, found[1], now) != "active":
        raise NotFound("没有找到这位家人，或对方尚未确认关联")
    link, person = found
    return Member(person, link.relation, link.created_at, "active", link.id, link.name)


def remove_member(session: Session, owner: Person, member_id: int) -> None:
    """The applicant drops a link; a link the relative refused stays (so that it cannot be asked for again)."""
    found = repository.member_of(session, owner.id, member_id)
    if found is None or found[0].refused_at is not None:
        raise NotFound("没有找到这位家人")
    session.delete(found[0])
    session.flush()


# ---- the relative's side: links that name him ----------------------------------------------------------------------
@dataclass(frozen=True)
class Applicant:
    link_id: int
    name_masked: str
    id_number_masked: str
    relation: str
    requested_at: datetime
    state: str
    other_name_masked: str | None = None  # the name the applicant entered, masked, when it is not his real name

    @property
    def state_label(self) -> str:
        return {"active": "已确认", "pending": "待您确认", "refused": "已拒绝"}[self.state]


def applicants(session: Session, relative: Person) -> list[Applicant]:
    """Who asked to show the signed-in resident's code (masked), and whether he confirmed: he can confirm, refuse
    or end each. A link active by guardianship alone shows as pending here: his confirmation is still asked."""
    return [Applicant(link.id, mask_name(owner.name), mask_id_number(owner.id_number), link.relation,
                      link.created_at, "refused" if link.refused_at else "active" if link.confirmed_at else "pending",
                      mask_name(link.name) if link.name and link.name != relative.name else None)
            for link, owner in repository.applicants_of(session, relative.id)]


def decide(session: Session, relative: Person, link_id: int, action: str, now: datetime) -> None:
    """accept: the link is active; refuse (or end): never active again, guardianship or not, until he accepts."""
    link = repository.link_naming(session, link_id, relative.id)
    if link is None:
        raise NotFound("没有找到该家人关联请求")
    if action == "accept":
        link.confirmed_at, link.refused_at = now, None
    elif action in ("refuse", "end"):
        link.confirmed_at, link.refused_at = None, now
    else:
        raise Invalid("操作无效")
    session.flush()


def record_view(session: Session, owner: Person, member_person: Person, what: str, now: datetime) -> None:
    """Logs that `owner` was shown `member_person`'s code or reasons (SPEC section 10)."""
    repository.add_view(session, FamilyView(owner_id=owner.id, member_id=member_person.id, what=what, at=now))
