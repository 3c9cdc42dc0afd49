"""The feed upload checks the provider's key (and its right to the feed) before it reads the request body: a stranger
cannot make the server receive a large file (issue 12)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.feeds.test_api import CSV, provider

BOUNDARY = "feedupload"
MEGABYTE = b"0" * (1 << 20)


class Body:
    """A multipart body of one .csv file of `megabytes` MB, counting the chunks the server asked for."""

    def __init__(self, megabytes: int) -> None:
        self.megabytes = megabytes
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        yield (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cases.csv\"\r\n"
               "Content-Type: text/csv\r\n\r\n").encode()
        yield CSV
        for _ in range(self.megabytes):
            self.sent += 1
            yield MEGABYTE
        yield f"\r\n--{BOUNDARY}--\r\n".encode()


def post(client, body: Body, key: str | None, feed: str = "cases"):
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if key is not None:
        headers["X-API-Key"] = key
    return client.post(f"/api/v1/feeds/{feed}/batches", headers=headers, content=iter(body))


@pytest.mark.parametrize(("key", "feed", "status", "error"), [
    (None, "cases", 401, "unauthorised"),
    ("wrong", "cases", 401, "unauthorised"),
    ("valid", "arrivals", 403, "forbidden"),
])
def test_given_no_key_a_wrong_key_or_a_feed_not_allowed_then_refused_before_the_body_is_read(
        client, engine, key, feed, status, error) -> None:
    created = provider(engine)
    body = Body(megabytes=64)
    response = post(client, body, created.api_key if key == "valid" else key, feed)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert body.sent == 0


def test_given_the_right_key_then_the_body_is_read_and_loaded(client, engine) -> None:
    created = provider(engine)
    body = Body(megabytes=1)
    response = post(client, body, created.api_key)
    assert body.sent == 1
    assert response.status_code == 422  # the zeros after the valid row are a bad line: the file was read to the end
