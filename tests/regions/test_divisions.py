"""The address resolver: its remembered prefix walks give exactly what a fresh walk gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from healthcode.regions import divisions

NAMES = ["福建省", "福建", "福州市", "福州", "鼓楼区", "鼓楼", "台江区", "厦门市", "思明区", "宁德市", "寿宁县",
         "泉州市", "鲤城区", "江苏省", "南京市", "鼓楼区", "徐州市", "县", "市辖区", "晋安区", "郊区"]
TAILS = ["五一街道", "金山社区", "屏西", "1号楼", "茶园", "鼓", "福", "区", ""]


@settings(max_examples=300)
@given(st.lists(st.lists(st.sampled_from(NAMES + TAILS), max_size=5).map("".join), min_size=1, max_size=20))
def test_given_addresses_sharing_prefixes_then_remembered_walks_resolve_as_fresh_walks(addresses: list[str]) -> None:
    # Given addresses made of division names and other words, resolved in turn (each remembers its prefix walk)
    for address in addresses:
        # When one is resolved, after the ones before it
        resolved = divisions.resolve(address)
        # Then it resolves exactly as a walk over its own text would
        text = divisions.normalize(address)
        position, county = divisions._walk(text)
        assert resolved == (county, text[position:])


def test_given_county_named_after_a_city_without_one_then_the_longer_address_still_finds_its_county() -> None:
    # Given a prefix walked first without a county after it
    assert divisions.resolve("福建省福州市").county_code is None
    # When an address continues it with a county name
    resolved = divisions.resolve("福建省福州市鼓楼区五一街道")
    # Then the county is found and the rest starts after it
    assert resolved == ("350102", "五一街道")
