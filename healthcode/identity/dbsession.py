"""The per-request session of the sign-in and citizen routes: like healthcode.db.DbSession, but committed BEFORE the
response is sent.

FastAPI ends `yield` dependencies after the response by default (scope "request"), so a redirect can reach the
browser, and the browser's next request, before the transaction commits: the browser tests caught an authorisation
code not yet visible to the token request. Scope "function" commits first, and a failed commit becomes an error
response instead of a success already sent. (Worth making the default in healthcode/db.py.)"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from healthcode.db import get_session

DbSession = Annotated[Session, Depends(get_session, scope="function")]
