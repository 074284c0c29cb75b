"""``TestClient.websocket_connect``'s handshake request: its headers, ``auth=``, event hooks."""

from __future__ import annotations

import base64
from collections.abc import Generator
from typing import Any

import pytest

from zephyr._testclient_lib import httpx
from zephyr.testclient import TestClient
from zephyr.websockets import WebSocket


async def echo_handshake(scope: Any, receive: Any, send: Any) -> None:
    """Accept, send back the handshake's headers and offered subprotocols, close."""
    websocket = WebSocket(scope, receive, send)
    await websocket.accept()
    await websocket.send_json(
        {"headers": websocket.headers.items(), "subprotocols": scope["subprotocols"]}
    )
    await websocket.close()


def handshake(client: TestClient, url: str = "/", **kwargs: Any) -> dict[str, Any]:
    with client.websocket_connect(url, **kwargs) as session:
        data: dict[str, Any] = session.receive_json()
    return data


def header_dict(data: dict[str, Any]) -> dict[str, str]:
    return dict(data["headers"])


def test_the_handshake_sends_starlettes_headers() -> None:
    headers = handshake(TestClient(echo_handshake))["headers"]
    assert [name for name, _ in headers] == [
        "host",
        "accept",
        "accept-encoding",
        "user-agent",
        "connection",
        "sec-websocket-key",
        "sec-websocket-version",
    ]
    sent = dict(headers)
    assert (sent["connection"], sent["sec-websocket-key"], sent["sec-websocket-version"]) == (
        "upgrade",
        "testserver==",
        "13",
    )


def test_given_headers_replace_the_handshakes_own_ones_without_duplicates() -> None:
    given = {"Connection": "keep-alive", "Sec-WebSocket-Key": "abc", "Sec-WebSocket-Version": "8"}
    data = handshake(TestClient(echo_handshake), headers=given, subprotocols=["chat"])
    names = [name for name, _ in data["headers"]]
    assert len(names) == len(set(names))
    sent = header_dict(data)
    assert (sent["connection"], sent["sec-websocket-key"], sent["sec-websocket-version"]) == (
        "keep-alive",
        "abc",
        "8",
    )
    assert (sent["sec-websocket-protocol"], data["subprotocols"]) == ("chat", ["chat"])


def test_offered_subprotocols_are_read_from_the_header_sent() -> None:
    client = TestClient(echo_handshake)
    given = {"Sec-WebSocket-Protocol": "one, two,"}
    data = handshake(client, headers=given, subprotocols=["ignored"])
    assert data["subprotocols"] == ["one", "two"]
    assert handshake(client, subprotocols=["a", "b"])["subprotocols"] == ["a", "b"]
    assert handshake(client)["subprotocols"] == []


def test_auth_applies_to_the_handshake() -> None:
    client = TestClient(echo_handshake)
    basic = header_dict(handshake(client, auth=("tom", "secret")))["authorization"]
    assert basic == "Basic " + base64.b64encode(b"tom:secret").decode()

    def token(request: httpx.Request) -> httpx.Request:
        request.headers["authorization"] = "Bearer t"
        return request

    assert header_dict(handshake(client, auth=token))["authorization"] == "Bearer t"
    given = httpx.BasicAuth("ann", "pw")
    assert header_dict(handshake(client, auth=given))["authorization"].startswith("Basic ")


def test_the_clients_auth_applies_unless_auth_none_is_given() -> None:
    client = TestClient(echo_handshake)
    client.auth = ("tom", "secret")
    assert "authorization" in header_dict(handshake(client))
    assert "authorization" not in header_dict(handshake(client, auth=None))


def test_a_multi_step_auth_flow_gives_its_first_request_and_no_response() -> None:
    seen: list[Any] = []

    class TwoSteps(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
            request.headers["x-step"] = "1"
            seen.append((yield request))

    sent = header_dict(handshake(TestClient(echo_handshake), auth=TwoSteps()))
    assert sent["x-step"] == "1"
    assert seen == []


def test_request_hooks_see_the_handshake_with_a_ws_url_and_response_hooks_do_not() -> None:
    seen: list[str] = []

    def on_request(request: httpx.Request) -> None:
        seen.append(str(request.url))
        request.headers["x-hooked"] = "yes"

    client = TestClient(echo_handshake)
    client.event_hooks = {"request": [on_request], "response": [lambda r: seen.append("resp")]}
    assert header_dict(handshake(client, "/chat", params={"a": "b"}))["x-hooked"] == "yes"
    handshake(client, "https://example.org/chat")
    assert seen == ["ws://testserver/chat?a=b", "wss://example.org/chat"]


def test_an_auth_flow_that_sends_a_new_request_is_an_error() -> None:
    class Replaces(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, Any, None]:
            yield httpx.Request("GET", "http://testserver/")

    async def http_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with pytest.raises(RuntimeError, match="sent as plain HTTP"):
        TestClient(http_app).websocket_connect("/", auth=Replaces())
