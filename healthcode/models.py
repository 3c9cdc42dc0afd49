"""Imports every domain's tables so that Base.metadata (Alembic, tests) knows them all."""

from healthcode.accounts import models as accounts  # noqa: F401
from healthcode.appeals import models as appeals  # noqa: F401
from healthcode.checkpoints import models as checkpoints  # noqa: F401
from healthcode.codes import models as codes  # noqa: F401
from healthcode.console import models as console  # noqa: F401
from healthcode.enterprise import dispute_models as enterprise_disputes  # noqa: F401
from healthcode.enterprise import import_models as enterprise_imports  # noqa: F401
from healthcode.enterprise import models as enterprise  # noqa: F401
from healthcode.enterprise import operator_models as enterprise_operators  # noqa: F401
from healthcode.feeds import models as feeds  # noqa: F401
from healthcode.identity import models as identity  # noqa: F401
from healthcode.ledger import models as ledger  # noqa: F401
from healthcode.messages import models as messages  # noqa: F401
from healthcode.orgs import audit_models as orgs_audit  # noqa: F401
from healthcode.orgs import export_models as orgs_exports  # noqa: F401
from healthcode.orgs import models as orgs  # noqa: F401
from healthcode.regions import models as regions  # noqa: F401
from healthcode.residents import family_models  # noqa: F401
from healthcode.residents import models as residents  # noqa: F401
from healthcode.rules import correction_models as rules_corrections  # noqa: F401
from healthcode.rules import manual_models as rules_manual  # noqa: F401
from healthcode.rules import models as rules  # noqa: F401
from healthcode.sessions import models as sessions  # noqa: F401
