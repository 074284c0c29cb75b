"""A ``yield`` dependency that swallows the endpoint's error can't leave the request unanswered.

With a bare ``except`` around its ``yield`` and no ``raise``, the error that
would have made the response is gone; zephyr fails the request with a
``ZephyrError`` saying why (a 500 for the client) instead of ending it silently.
"""

from collections.abc import Iterator

import pytest

from zephyr import Depends, HTTPException, Zephyr
from zephyr.api_exceptions import ZephyrError
from zephyr.testclient import TestClient


class Boom(Exception):
    pass


def _app() -> Zephyr:
    app = Zephyr()

    def swallowing() -> Iterator[str]:
        try:
            yield "user"
        except Boom:
            pass  # The mistake: no `raise`.

    @app.get("/{what}")
    def endpoint(what: str, user: str = Depends(swallowing)) -> str:
        if what == "boom":
            raise Boom
        if what == "missing":
            raise HTTPException(404, "no such thing")
        return user

    return app


def test_the_swallowed_error_becomes_a_zephyr_error() -> None:
    client = TestClient(_app())
    with pytest.raises(ZephyrError, match="dependency with yield caught it") as caught:
        client.get("/boom")
    assert isinstance(caught.value.__cause__, Boom)


def test_the_client_gets_a_500_and_other_requests_are_unaffected() -> None:
    client = TestClient(_app(), raise_server_exceptions=False)
    response = client.get("/boom")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    assert client.get("/ok").json() == "user"
    assert client.get("/missing").status_code == 404  # Not caught by `except Boom`.
