"""ProxyHeadersMiddleware: trusted proxies only, right-most untrusted client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zephyr.server.proxy_headers import MAX_FORWARDED_HOPS, ProxyHeadersMiddleware, TrustedHosts
from zephyr.types import Message, Receive, Scope, Send


def run_scope(
    trusted: str | list[str],
    headers: list[tuple[bytes, bytes]],
    client: tuple[str, int] | None = ("127.0.0.1", 5000),
    kind: str = "http",
) -> Scope:
    seen: dict[str, Any] = {}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen["scope"] = scope

    async def receive() -> Message:
        return {}

    async def send(message: Message) -> None:
        return None

    scope: Scope = {
        "type": kind,
        "scheme": "ws" if kind == "websocket" else "http",
        "client": client,
        "headers": headers,
    }
    asyncio.run(ProxyHeadersMiddleware(app, trusted)(scope, receive, send))
    result: Scope = seen["scope"]
    return result


XFF = b"x-forwarded-for"
XFP = b"x-forwarded-proto"


def test_trusted_proxy_rewrites_client_and_scheme() -> None:
    scope = run_scope("127.0.0.1", [(XFF, b"203.0.113.9"), (XFP, b"https")])
    assert scope["client"] == ("203.0.113.9", 0)
    assert scope["scheme"] == "https"


def test_untrusted_peer_headers_ignored() -> None:
    scope = run_scope("10.0.0.1", [(XFF, b"203.0.113.9"), (XFP, b"https")])
    assert scope["client"] == ("127.0.0.1", 5000)
    assert scope["scheme"] == "http"


def test_rightmost_untrusted_entry_wins() -> None:
    # spoofed, real client, then two trusted proxies appended on the way in
    header = b"1.1.1.1, 198.51.100.7, 10.1.2.3, 127.0.0.1"
    scope = run_scope("127.0.0.1, 10.0.0.0/8", [(XFF, header)])
    assert scope["client"] == ("198.51.100.7", 0)


def test_all_trusted_takes_leftmost() -> None:
    scope = run_scope("127.0.0.1, 10.0.0.0/8", [(XFF, b"10.0.0.5, 10.0.0.6")])
    assert scope["client"] == ("10.0.0.5", 0)


def test_star_trusts_everyone() -> None:
    # every hop is trusted, so the original client is the left-most entry
    scope = run_scope("*", [(XFF, b"203.0.113.1, 198.51.100.2")], client=("8.8.8.8", 1))
    assert scope["client"] == ("203.0.113.1", 0)


def test_ipv6_address_and_network() -> None:
    trusted = TrustedHosts(["::1", "2001:db8::/32"])
    assert "::1" in trusted
    assert "2001:db8::42" in trusted
    assert "[2001:db8::42]" in trusted
    assert "2001:db9::1" not in trusted
    assert "127.0.0.1" not in trusted
    scope = run_scope("::1", [(XFF, b"2001:db8::9")], client=("::1", 80))
    assert scope["client"] == ("2001:db8::9", 0)


def test_unix_socket_client_is_trusted() -> None:
    scope = run_scope("127.0.0.1", [(XFF, b"203.0.113.9"), (XFP, b"https")], client=None)
    assert scope["client"] == ("203.0.113.9", 0)
    assert scope["scheme"] == "https"


@pytest.mark.parametrize(
    ("kind", "proto", "expected"),
    [
        ("http", b"https", "https"),
        ("http", b"HTTP", "http"),
        ("http", b"wss", "https"),
        ("websocket", b"https", "wss"),
        ("websocket", b"http", "ws"),
        ("http", b"javascript", "http"),
        ("http", b"ftp", "http"),
        ("http", b"http, https", "https"),
    ],
)
def test_forwarded_proto_whitelist(kind: str, proto: bytes, expected: str) -> None:
    scope = run_scope("127.0.0.1", [(XFP, proto)], kind=kind)
    assert scope["scheme"] == expected


@pytest.mark.parametrize(
    "value",
    [b"", b",,,", b" , ", b"\xff\xfe garbage", b"not-an-ip", b"::::::", b"1.2.3.4.5"],
)
def test_hostile_forwarded_for_does_not_crash(value: bytes) -> None:
    scope = run_scope("127.0.0.1", [(XFF, value)])
    client = scope["client"]
    assert isinstance(client, tuple)
    assert isinstance(client[0], str)


def test_huge_forwarded_for_list_is_bounded() -> None:
    hosts = ",".join(["10.0.0.1"] * 100_000 + ["203.0.113.5"])
    trusted = TrustedHosts("10.0.0.0/8")
    assert trusted.client_from_forwarded_for(hosts) == "203.0.113.5"
    all_trusted = ",".join(f"10.0.{i // 256}.{i % 256}" for i in range(1000))
    client = trusted.client_from_forwarded_for(all_trusted)
    assert (
        client == f"10.0.{(1000 - MAX_FORWARDED_HOPS) // 256}.{(1000 - MAX_FORWARDED_HOPS) % 256}"
    )


def test_non_ip_entries_match_literally() -> None:
    trusted = TrustedHosts("unix:/tmp/proxy.sock, garbage/99")
    assert "unix:/tmp/proxy.sock" in trusted
    assert "garbage/99" in trusted
    assert "1.2.3.4" not in trusted
    assert None not in trusted


def test_lifespan_scope_passes_untouched() -> None:
    scope = run_scope("*", [(XFF, b"1.2.3.4")], kind="lifespan")
    assert scope["client"] == ("127.0.0.1", 5000)


def test_trust_verdicts_are_remembered_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each peer address is parsed once; the memory of verdicts stays bounded."""
    from zephyr.server import proxy_headers

    trusted = TrustedHosts("10.0.0.0/8, 127.0.0.1")
    lookups: list[str] = []
    real = trusted._lookup
    monkeypatch.setattr(trusted, "_lookup", lambda host: lookups.append(host) or real(host))
    assert [h in trusted for h in ("10.1.2.3", "10.1.2.3", "11.0.0.1", "11.0.0.1")] == [
        True, True, False, False,
    ]  # fmt: skip
    assert lookups == ["10.1.2.3", "11.0.0.1"]
    monkeypatch.setattr(proxy_headers, "_VERDICTS_KEPT", 4)
    for last in range(10):
        assert f"10.0.0.{last}" in trusted
    assert len(trusted._verdicts) <= 4
    assert "127.0.0.1" in trusted and "not-an-ip" not in trusted
