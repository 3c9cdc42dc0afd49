"""Manual flags of the health authority (issue 16): the only way to give a resident a colour without a feed record.
One authority user proposes with a written reason and an end date, another approves; the flag then holds from the day
of its approval to the end of `ends_on`, computed like every other reason (no job ends it). The table is declared
here, beside the rules that read it (rules/repository.py); its use cases are healthcode/manualflags."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base, bytewise

PROPOSED, APPROVED, REJECTED, WITHDRAWN = "proposed", "approved", "rejected", "withdrawn"
STATES = (PROPOSED, APPROVED, REJECTED, WITHDRAWN)
REASON_MAX = 200  # characters of a written reason (the flag's, a rejection's or a withdrawal's)


class ManualFlag(Base):
    """One flag and its decisions. Who acted is kept twice: the account (`*_by`, what "two different users" is
    checked on) and the label a page shows (`*_by_label`, e.g. 省卫健委（张审核）), as it was at the time."""

    __tablename__ = "manual_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(bytewise(18), index=True)
    color: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(REASON_MAX))  # shown to the resident
    ends_on: Mapped[date] = mapped_column(Date)  # the last day the flag holds
    state: Mapped[str] = mapped_column(String(12), default=PROPOSED)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    proposed_by_label: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime] = mapped_column(DateTime)
    # The approval or the rejection (`state` tells which); a rejection carries its reason.
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    decided_by_label: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    starts_on: Mapped[date | None] = mapped_column(Date)  # the day of the approval: the flag holds from then
    # A withdrawal: of a proposal before anyone decided, or of an approved flag (it stops holding that day).
    withdrawn_by: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    withdrawn_by_label: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
