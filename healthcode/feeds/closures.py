"""What closed-community matching compares, derived when a row is loaded (SPEC section 3): the county and the
normalised address of a household, the county and the normalised community name of a closure, both with
`healthcode.regions.divisions.resolve`. The matching query is in closures_repository.py."""

from __future__ import annotations

from healthcode.regions.divisions import resolve


def household_derived(address: str, region_code: str | None) -> tuple[str | None, str]:
    """(county_code, address_norm) of a `households` row, as the loader stores them."""
    resolved = resolve(address, region_code)
    return resolved.county_code, resolved.rest


def closure_derived(community: str, address: str, region_code: str | None) -> tuple[str | None, str]:
    """(county_code, community_norm) of a `closures` row, as the loader stores them."""
    return resolve(address, region_code).county_code, resolve(community).rest
