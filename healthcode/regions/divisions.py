"""Administrative divisions (GB/T 2260) and the address resolver.

The division data is python-stdnum's `cn/loc` table (kept up to date with GB/T 2260, with each name's years of use).
The resolver reads an address's leading province / city / county names and returns the county-level code and the
normalised rest of the address. It is a prefix matcher over that table: it does a dict look-up per position, so a
million household addresses resolve in seconds where a general address parser such as cpca takes minutes
(docs/performance.md, "Measured choices").
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from stdnum import numdb

FUJIAN = "35"
_YEARS = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
_SHORT_SUFFIX = re.compile(r"(省|市|自治区|特别行政区|壮族自治区|回族自治区|维吾尔自治区|地区|盟)$")


@dataclass(frozen=True)
class Division:
    code: str  # 6 digits
    name: str  # own name, e.g. 鼓楼区
    rank: int  # 0 province, 1 prefecture/city, 2 county
    current: bool

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


def _current_name(raw: str) -> tuple[str, bool]:
    """The newest name in a `[1983-1994]郊区,[1995-]晋安区` list and whether it is still in use."""
    latest = raw.split(",")[-1]
    match = _YEARS.match(latest)
    if not match:
        return latest, True
    return match.group(3), match.group(2) == ""


@lru_cache(maxsize=1)
def _table() -> dict[str, Division]:
    table: dict[str, Division] = {}
    for _, province_code, _, props, children in numdb.get("cn/loc").prefixes:
        province_name, _ = _current_name(props.get("province", ""))
        table[province_code + "0000"] = Division(province_code + "0000", province_name, 0, True)
        for _, low, _, child_props, _ in children:
            code = province_code + low
            if code.endswith("0000"):
                continue
            name, current = _current_name(child_props.get("county", ""))
            rank = 1 if code.endswith("00") else 2
            table[code] = Division(code, name, rank, current)
    return table


def get(code: str) -> Division | None:
    return _table().get(code[:6])


def counties(current_only: bool = True) -> list[Division]:
    """County-level divisions (市辖区 placeholders excluded), Fujian's first, then by code."""
    items = [d for d in _table().values() if d.rank == 2 and d.name != "市辖区" and (d.current or not current_only)]
    return sorted(items, key=lambda d: (d.code[:2] != FUJIAN, d.code))


def full_name(code: str) -> str:
    """`福建省福州市鼓楼区`: the province, city and county names of a code (the seed's 居住地址 at county level)."""
    parts: list[str] = []
    for prefix_code in (code[:2] + "0000", code[:4] + "00", code[:6]):
        division = get(prefix_code)
        if division and division.name not in ("市辖区", "县") and (not parts or parts[-1] != division.name):
            parts.append(division.name)
    return "".join(parts)


def short_name(code: str) -> str:
    """`福州市鼓楼区`: the city and county names (the province alone for a province-level code)."""
    division = get(code)
    if division is None:
        return code
    if division.rank == 0:
        return division.name
    if division.rank == 1:
        return division.name
    city = get(code[:4] + "00")
    if city is None or city.name in ("市辖区", "县"):
        province = get(code[:2] + "0000")
        return (province.name if province else "") + division.name
    return city.name + division.name


_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_ASCII_LOWER = re.compile("[a-z]")  # str.translate only when there is something to fold: most addresses have none


def normalize(text: str) -> str:
    """Folds full-width forms to half-width (NFKC), Latin letters to upper case (`abc花园` is `ABC花园`, as building
    letters are usually written; ASCII only, as SQL's upper() does in SQLite and under PostgreSQL's "C" collation)
    and removes white space."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # str.split() splits on exactly the characters `\s` matches (str.isspace), and is several times faster.
    text = "".join(text.split())
    return text.translate(_ASCII_UPPER) if _ASCII_LOWER.search(text) else text


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, list[tuple[str, int, list[str]]]], ...]:
    """For each rank, division names indexed by their first two characters, longest name first, each with the codes
    it may name at that rank (in preference order): a prefix look-up is then one dict access and a few `startswith`
    calls. Names shorter than two characters never match."""
    names: dict[str, list[Division]] = {}
    for division in _table().values():
        if division.name in ("市辖区", "县", ""):
            continue
        keys = {division.name}
        if division.rank < 2:
            short = _SHORT_SUFFIX.sub("", division.name)
            if len(short) >= 2:
                keys.add(short)
        for key in keys:
            names.setdefault(key, []).append(division)
    indexes: tuple[dict[str, list[tuple[str, int, list[str]]]], ...] = ({}, {}, {})
    for name, candidates in names.items():
        if len(name) < 2:
            continue
        # Current divisions first, Fujian's first among equals: this is Fujian's platform.
        candidates.sort(key=lambda d: (not d.current, d.code[:2] != FUJIAN, d.code))
        for rank, index in enumerate(indexes):
            codes = [d.code for d in candidates if d.rank == rank]
            if codes:
                index.setdefault(name[:2], []).append((name, len(name), codes))
    for index in indexes:
        for entries in index.values():
            entries.sort(key=lambda entry: -entry[1])
    return indexes


class Resolved(NamedTuple):
    county_code: str | None
    rest: str  # the normalised address without its province / city / county prefix


# The walk over an address's leading names reads only its first few characters (`examined`), so every address that
# starts with the same characters walks the same way. Remembered per examined length, up to a bound: a registry's
# addresses share a few thousand such prefixes, and a million households then resolve in a third of the time.
_WALKS: dict[int, dict[str, tuple[int, str | None]]] = {}
WALKS_KEPT = 100_000  # prefixes remembered at most, all lengths together (~15 MB)
_walks_kept = 0


def resolve(address: str, region_code: str | None = None) -> Resolved:
    """The county of an address (from `region_code` when it names a known county, else from the address) and the
    normalised rest of the address after the leading province, city and county names."""
    text = normalize(address)
    for length, walks in _WALKS.items():
        found = walks.get(text[:length])
        if found is not None:
            position, county = found
            break
    else:
        position, county = _walk(text)
    return Resolved(region_county(region_code) or county, text[position:])


def region_county(region_code: str | None) -> str | None:
    """The county a feed row's `region_code` names, if it names a known division (it then overrides the address)."""
    if region_code:
        given = region_code.strip()[:6]
        if len(given) == 6 and given.isdigit() and given in _table():
            return given
    return None


def _walk(text: str) -> tuple[int, str | None]:
    """At each rank, the longest name at the current position that names a division of that rank inside the
    division matched so far: the position after the names and the county found. Remembered for its prefix."""
    position, context, examined = 0, "", 2
    county: str | None = None
    for rank, index in enumerate(_names()):
        examined = max(examined, position + 2)
        for name, length, codes in index.get(text[position:position + 2], ()):
            examined = max(examined, position + length)
            if not text.startswith(name, position):
                continue
            for code in codes:
                if code.startswith(context):
                    break
            else:
                continue
            position += length
            context = code[: 2 * (rank + 1)]
            if rank == 2:
                county = code
            break
    global _walks_kept
    if _walks_kept < WALKS_KEPT:
        _WALKS.setdefault(examined, {})[text[:examined]] = (position, county)
        _walks_kept += 1
    return position, county
