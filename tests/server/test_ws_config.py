"""WebSocket settings: Config defaults and their CLI options."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from zephyr.cli import build_parser, config_from_args
from zephyr.server.config import Config

from .ws_harness import Peer, echo_app, run


def parse(*argv: str) -> Config:
    return config_from_args(build_parser().parse_args(["run", *argv]))


def test_defaults() -> None:
    config = Config(app="x:y")
    assert config.ws == "auto"
    assert config.ws_max_size == 16 * 1024 * 1024
    assert config.ws_max_queue == 32
    assert config.ws_ping_interval == 20.0
    assert config.ws_ping_timeout == 20.0
    assert config.ws_per_message_deflate is True
    cli = parse()
    assert (cli.ws, cli.ws_max_size, cli.ws_max_queue) == ("auto", 16 * 1024 * 1024, 32)
    assert (cli.ws_ping_interval, cli.ws_ping_timeout) == (20.0, 20.0)
    assert cli.ws_per_message_deflate is True


def test_cli_options_map_onto_config() -> None:
    config = parse(
        "--ws", "none", "--ws-max-size", "1024", "--ws-max-queue", "4",
        "--ws-ping-interval", "2.5", "--ws-ping-timeout", "none", "--no-ws-per-message-deflate",
    )  # fmt: skip
    assert config.ws == "none"
    assert config.ws_max_size == 1024
    assert config.ws_max_queue == 4
    assert config.ws_ping_interval == 2.5
    assert config.ws_ping_timeout is None
    assert config.ws_per_message_deflate is False


def test_cli_rejects_unknown_ws_implementation(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("--ws", "wsproto")
    assert "invalid choice" in capsys.readouterr().err


def test_access_log_line_for_handshakes(caplog: pytest.LogCaptureFixture) -> None:
    async def refuse(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.close"})

    async def main() -> None:
        for app in (echo_app(), refuse):
            peer = Peer(app, "whole", access_log=True)
            peer.handshake()
            await peer.settle()

    with caplog.at_level(logging.INFO, logger="zephyr.access"):
        run(main())
    lines = [r.getMessage() for r in caplog.records if r.name == "zephyr.access"]
    assert lines == [
        '127.0.0.1:50000 - "WebSocket /chat?room=1" 101 [accepted]',
        '127.0.0.1:50000 - "WebSocket /chat?room=1" 403 [rejected]',
    ]
    assert caplog.records[0].__dict__["status_code"] == 101


def test_auto_without_the_websockets_package_serves_plain_http(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zephyr.server import _ws_handshake

    monkeypatch.setattr(_ws_handshake, "websockets_available", lambda: False)
    assert _ws_handshake.websocket_support("auto") is False
    assert _ws_handshake.websocket_support("none") is False
    with pytest.raises(ImportError, match="websockets"):
        _ws_handshake.websocket_support("websockets")
    with pytest.raises(ImportError, match="websockets"):
        Config(app=echo_app(), ws="websockets").load()
