"""The chat example (``examples/chat.py``): two clients in a room see each other's messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.examples._load import load_example
from zephyr.testclient import TestClient
from zephyr.websockets import WebSocketDisconnect


@pytest.fixture()
def client() -> Iterator[TestClient]:
    # One client block = one event loop shared by every session, as on a server.
    with TestClient(load_example("chat").app) as client:
        yield client


def notice(room: str, text: str) -> dict[str, str | None]:
    return {"room": room, "from": None, "text": text}


def test_two_clients_broadcast(client: TestClient) -> None:
    with client.websocket_connect("/ws/lobby?name=ann") as ann:
        assert ann.receive_json() == notice("lobby", "ann joined")
        with client.websocket_connect("/ws/lobby?name=bob") as bob:
            assert bob.receive_json() == notice("lobby", "bob joined")
            assert ann.receive_json() == notice("lobby", "bob joined")
            ann.send_text("hi bob")
            expected = {"room": "lobby", "from": "ann", "text": "hi bob"}
            assert ann.receive_json() == expected
            assert bob.receive_json() == expected
            bob.send_text("hey")
            assert ann.receive_json() == {"room": "lobby", "from": "bob", "text": "hey"}
            assert bob.receive_json()["text"] == "hey"
        assert ann.receive_json() == notice("lobby", "bob left")


def test_rooms_are_separate(client: TestClient) -> None:
    with (
        client.websocket_connect("/ws/a?name=ann") as ann,
        client.websocket_connect("/ws/b?name=bob") as bob,
    ):
        assert ann.receive_json()["text"] == "ann joined"
        assert bob.receive_json()["text"] == "bob joined"
        ann.send_text("only a")
        assert ann.receive_json()["text"] == "only a"
        bob.send_text("only b")
        assert bob.receive_json() == {"room": "b", "from": "bob", "text": "only b"}


def test_nickname_is_validated(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/ws/lobby"):
        pass  # pragma: no cover
    assert info.value.code == 1008
    assert '"loc":["query","name"]' in info.value.reason


def test_page_serves_the_browser_client(client: TestClient) -> None:
    response = client.get("/")
    assert response.headers["content-type"].startswith("text/html")
    assert "new WebSocket" in response.text
