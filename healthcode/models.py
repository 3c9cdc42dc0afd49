"""Imports every domain's tables so that Base.metadata (Alembic, tests) knows them all."""

from healthcode.feeds import models as feeds  # noqa: F401
from healthcode.residents import models as residents  # noqa: F401
