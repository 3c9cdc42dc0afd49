"""Region levels API: the public, read-only view of the levels in force and their policies."""

from __future__ import annotations

from fastapi import APIRouter

from healthcode.db import DbSession
from healthcode.regions import divisions, schemas, service
from healthcode.web.schemas import documented

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])


@router.get("/levels", **documented(schemas.Levels))
def levels(session: DbSession) -> dict[str, object]:
    """Every level with its policy, and the regions currently above 无疫情区."""
    policies = service.policies(session)
    in_force = service.levels_in_force(session)
    return {
        "levels": [{"level": p.level, "level_name": p.level_name, "policy_headline": p.headline, "policy": p.text}
                   for p in policies.values()],
        "regions": [{"code": code, "name": divisions.short_name(code), "level": level,
                     "level_name": service.level_name(level)} for code, level in sorted(in_force.items())],
    }


@router.get("/{code}", **documented(schemas.Region, 422))
def region(code: str, session: DbSession) -> dict[str, object]:
    """One county's current level, policy and level history."""
    division = service.county(code)
    level = service.current_level(session, division.code)
    policy = service.policies(session)[level]
    history = [{"level": h.level, "level_name": service.level_name(h.level), "set_by": h.set_by,
                "set_at": h.set_at.isoformat(timespec="seconds")} for h in service.history(session, division.code)]
    return {
        "code": division.code, "name": divisions.short_name(division.code),
        "full_name": divisions.full_name(division.code), "level": level, "level_name": policy.level_name,
        "policy_headline": policy.headline, "policy": policy.text, "history": history,
    }
