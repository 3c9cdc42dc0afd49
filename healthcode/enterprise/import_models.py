"""Files of 批量导入 kept for a short while: the error report of a refused file, and an upload waiting for the
admin's confirmation of its removals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from healthcode.db import Base


class ImportFile(Base):
    """Found by the SHA-256 of an unguessable token (the token itself is only in the admin's link or form) together
    with the SHA-256 of who uploaded it (enterprise, account, and the operator when one signed in by real name): a
    token passed to anybody else finds nothing. Rows live `import_store.KEEP` and are purged on every upload and by
    `healthcode purge`. The content is personal data (names, ID numbers, phones): it is never logged."""

    __tablename__ = "employee_import_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    owner_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    kind: Mapped[str] = mapped_column(String(8))  # report / upload
    suffix: Mapped[str] = mapped_column(String(8))  # .xlsx / .csv: how the upload is read again
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
