"""Test helpers: walk the real sign-in flow (relying party -> development provider -> callback) with a TestClient."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from healthcode.identity.devprovider import add_dev_account

# Valid GB 11643 numbers (check characters computed by python-stdnum) for demo residents.
ZHANG = "350102198001010011"  # 福州市鼓楼区
LI = "350203199002020023"


def make_account(db: Session, id_number: str = ZHANG, name: str = "张小明", level: str = "L4",
                 password: str = "Passw0rd") -> None:
    add_dev_account(db, id_number, name, password, level=level)
    db.commit()


def open_login(client: Any) -> Any:
    """GET /citizen/login and follow it to the provider's login page."""
    page = client.get("/citizen/login")
    assert page.status_code == 200, page.text
    assert "/dev-idp/authorize" in str(page.url)
    return page


def sign_in(client: Any, id_number: str = ZHANG, password: str = "Passw0rd") -> Any:
    """The whole flow: login page, ID number + password, the face step, back through the callback."""
    authorize_url = str(open_login(client).url)
    step = client.post(authorize_url, data={"step": "password", "id_number": id_number, "password": password})
    assert step.status_code == 200, step.text
    return client.post(authorize_url, data={"step": "face"})
