"""SessionMiddleware: signed cookies, rotation, expiry, tampering, parity with Starlette."""

from __future__ import annotations

import time
from typing import Any

import itsdangerous
import pytest
import starlette.middleware.sessions

from tests.toolkit._mw_peer import starlette_client, zephyr_client
from zephyr.middleware.sessions import SessionMiddleware


def client(**options: Any) -> Any:
    options.setdefault("secret_key", "k1")
    return zephyr_client(SessionMiddleware, **options)


def test_session_round_trip_and_default_attributes() -> None:
    c = client()
    first = c.get("/count")
    assert first.json() == {"n": 1}
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("session=")
    attrs = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert attrs == {"httponly", "max-age", "path", "samesite"}
    assert "Max-Age=1209600" in cookie  # 14 days
    assert '"' not in cookie  # value needs no quoting
    assert c.get("/count").json() == {"n": 2}
    assert c.get("/read").json() == {"n": 2}


def test_unchanged_session_sets_no_cookie() -> None:
    c = client()
    assert "set-cookie" not in c.get("/read").headers  # empty, untouched
    c.get("/count")
    assert "set-cookie" not in c.get("/read").headers  # non-empty, untouched


def test_clearing_deletes_cookie() -> None:
    c = client()
    c.get("/count")
    response = c.get("/clear")
    assert "expires=Thu, 01 Jan 1970 00:00:00 GMT" in response.headers["set-cookie"]
    assert c.get("/read").json() == {}


def test_cookie_options() -> None:
    c = client(
        session_cookie="sid",
        max_age=None,
        path="/app",
        same_site="strict",
        https_only=True,
        domain="example.com",
    )
    cookie = c.get("/count").headers["set-cookie"]
    assert cookie.startswith("sid=")
    attributes = cookie.split("; ")[1:]
    assert attributes == [
        "path=/app",
        "httponly",
        "samesite=strict",
        "secure",
        "domain=example.com",
    ]
    assert "Max-Age" not in cookie


def _value(response: Any) -> str:
    return str(response.headers["set-cookie"].split(";")[0].split("=", 1)[1])


@pytest.mark.parametrize(
    "mangle",
    [
        # A signature byte changed (not the last base64 digit: its low bits are padding).
        lambda v: v[:-5] + ("A" if v[-5] != "A" else "B") + v[-4:],
        lambda v: "e30" + v[v.index(".") :],  # payload swapped for {}
        lambda v: "garbage",
        lambda v: "",
        lambda v: "....",
        lambda v: v + ".extra",
        lambda v: "%FF%FE." + v,
    ],
)
def test_tampered_cookie_gives_empty_session(mangle: Any) -> None:
    c = client()
    value = _value(c.get("/count"))
    fresh = client()
    response = fresh.get("/read", headers={"Cookie": f"session={mangle(value)}"})
    assert response.status_code == 200
    assert response.json() == {}


def test_valid_signature_over_non_object_gives_empty_session() -> None:
    signer = itsdangerous.TimestampSigner("k1")
    for payload in (b"WzFd", b"bm90IGpzb24", b"!!!"):  # [1], "not json", bad base64
        cookie = signer.sign(payload).decode()
        response = client().get("/read", headers={"Cookie": f"session={cookie}"})
        assert response.json() == {}


def test_expired_cookie_gives_empty_session(monkeypatch: pytest.MonkeyPatch) -> None:
    c = client(max_age=60)
    value = _value(c.get("/count"))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 120)
    response = client(max_age=60).get("/read", headers={"Cookie": f"session={value}"})
    assert response.json() == {}


def test_key_rotation_first_signs_all_verify() -> None:
    old_value = _value(client(secret_key="old").get("/count"))
    rotated = client(secret_key=["new", "old"])
    response = rotated.get("/count", headers={"Cookie": f"session={old_value}"})
    assert response.json() == {"n": 2}  # old cookie still verifies
    new_value = _value(response)
    assert client(secret_key="new").get("/read", headers={"Cookie": f"session={new_value}"}).json()
    # ...and the re-issued cookie is signed with the new key only.
    assert (
        client(secret_key="old").get("/read", headers={"Cookie": f"session={new_value}"}).json()
        == {}
    )


def test_unknown_key_gives_empty_session() -> None:
    value = _value(client(secret_key="a").get("/count"))
    response = client(secret_key=["b", "c"]).get("/read", headers={"Cookie": f"session={value}"})
    assert response.json() == {}


def test_empty_key_list_rejected() -> None:
    with pytest.raises(ValueError, match="secret key"):
        SessionMiddleware(lambda *a: None, secret_key=[])  # type: ignore[arg-type]


def test_same_cookie_attributes_and_flow_as_starlette() -> None:
    ours = client(secret_key="k", same_site="strict", https_only=True, path="/")
    theirs = starlette_client(
        starlette.middleware.sessions.SessionMiddleware,
        secret_key="k",
        same_site="strict",
        https_only=True,
        path="/",
    )
    for path in ["/read", "/count", "/count", "/read", "/clear", "/read", "/count"]:
        mine, peer = ours.get(path), theirs.get(path)
        assert mine.json() == peer.json(), path
        assert ("set-cookie" in mine.headers) == ("set-cookie" in peer.headers), path
        if "set-cookie" in mine.headers:
            assert _attributes(mine) == _attributes(peer), path


def _attributes(response: Any) -> set[str]:
    parts = response.headers["set-cookie"].split(";")[1:]
    return {p.strip().split("=")[0].lower() for p in parts}


def test_websocket_scope_gets_the_session() -> None:
    import asyncio

    from tests.toolkit.conftest import Channel, http_scope

    value = _value(client().get("/count"))
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["session"])

    middleware = SessionMiddleware(app, secret_key="k1")
    scope = http_scope("/ws", type="websocket", headers=[("cookie", f"session={value}")])
    channel = Channel()
    asyncio.run(middleware(scope, channel.receive, channel.send))
    assert seen == [{"n": 1}]
    assert channel.sent == []


def test_session_object_tracks_reads_and_changes() -> None:
    from zephyr.middleware.sessions import Session

    session = Session({"a": 1})
    assert (session.accessed, session.modified) == (False, False)
    session.pop("missing", None)
    session.setdefault("a", 2)
    assert (session.accessed, session.modified) == (False, False)  # nothing changed
    for change in (
        lambda s: s.__setitem__("b", 1),
        lambda s: s.__delitem__("a"),
        lambda s: s.clear(),
        lambda s: s.pop("a"),
        lambda s: s.popitem(),
        lambda s: s.setdefault("new", 1),
        lambda s: s.update(c=3),
        lambda s: s.__ior__({"d": 4}),
    ):
        fresh = Session({"a": 1})
        change(fresh)
        assert (fresh.accessed, fresh.modified) == (True, True)


def test_vary_cookie_only_when_the_session_was_used() -> None:
    c = client()
    first = c.get("/count")  # writes
    assert "cookie" in first.headers["vary"].lower()
    assert "cookie" in c.get("/read").headers["vary"].lower()  # reads
    untouched = zephyr_client(SessionMiddleware, secret_key="k1").get("/plain")
    assert "vary" not in untouched.headers


def test_partitioned_session_cookie() -> None:
    c = client(partitioned=True, https_only=True, same_site="none")
    attributes = c.get("/count").headers["set-cookie"].split("; ")
    assert "partitioned" in attributes and "secure" in attributes
    assert "partitioned" not in client().get("/count").headers["set-cookie"]


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"path": "/", "domain": "example.com", "same_site": "strict", "https_only": True},
        {"max_age": None, "partitioned": True, "same_site": "none", "https_only": True},
    ],
)
def test_cookie_layout_is_starlettes(options: dict[str, Any]) -> None:
    def attributes(c: Any) -> list[str]:
        return c.get("/count").headers["set-cookie"].split("; ")[1:]

    theirs = starlette_client(
        starlette.middleware.sessions.SessionMiddleware, secret_key="k1", **options
    )
    ours = zephyr_client(SessionMiddleware, secret_key="k1", **options)
    assert attributes(ours) == attributes(theirs)
