"""A resident's initial region (初始地区): the county-level regions the first-code page offers, the household's county
as the default, and fixing the initial region at the first code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from healthcode.errors import Invalid
from healthcode.regions import divisions
from healthcode.residents import family_repository as repository
from healthcode.residents.models import Person


@dataclass(frozen=True)
class RegionChoice:
    code: str
    label: str
    group: str


def household_region(session: Session, person: Person) -> str | None:
    return repository.household_county(session, person.id_number)


def region_choices(session: Session, person: Person) -> tuple[list[RegionChoice], str | None]:
    """The county-level regions the first-code page offers (Fujian's, plus the household county), and the default."""
    home = household_region(session, person)
    codes = [d.code for d in divisions.counties() if d.code.startswith(divisions.FUJIAN)]
    if home and home not in codes:
        codes.insert(0, home)
    choices = []
    for code in codes:
        city = divisions.get(code[:4] + "00")
        county = divisions.get(code)
        group = city.name if city and city.name not in ("市辖区", "县") else divisions.full_name(code[:2] + "0000")
        choices.append(RegionChoice(code, county.name if county else code, group))
    return choices, home


def fix_initial_region(session: Session, person: Person, region_code: str | None) -> None:
    """Sets the initial region at the first code (the region picked on the page, else the household's); fixed after."""
    if person.initial_region_code is not None:
        return
    if region_code:
        division = divisions.get(region_code)
        if len(region_code) != 6 or division is None or division.rank != 2:
            raise Invalid("请选择所在的县（市、区）")
        person.initial_region_code = region_code
    else:
        person.initial_region_code = household_region(session, person)
    session.flush()
