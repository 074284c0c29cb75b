"""Tests for zephyr.requests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from zephyr.datastructures import URL, Address, State, URLPath
from zephyr.exceptions import HTTPException
from zephyr.formparsers import MultiPartException
from zephyr.requests import ClientDisconnect, HTTPConnection, Request


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, timeout=10))


class TestHTTPConnection:
    def test_mapping_over_scope(self, make_scope) -> None:
        scope = make_scope("/p")
        conn = HTTPConnection(scope)
        assert conn["path"] == "/p"
        assert len(conn) == len(scope)
        assert set(conn) == set(scope)
        assert conn == conn
        assert conn != HTTPConnection(scope)  # identity semantics, hashable
        assert len({conn, HTTPConnection(scope)}) == 2

    def test_rejects_other_scope_types(self) -> None:
        with pytest.raises(AssertionError):
            HTTPConnection({"type": "lifespan"})
        with pytest.raises(AssertionError):
            Request({"type": "websocket"})

    def test_url_headers_query_cookies_client(self, make_scope) -> None:
        scope = make_scope(
            "/items",
            headers=[
                ("Host", "example.com"),
                ("Cookie", 'a=1; b="x y"'),
                ("X-Multi", "1"),
                ("x-multi", "2"),
            ],
            query_string=b"q=1&q=2&e=",
        )
        request = Request(scope)
        assert request.url == URL("http://example.com/items?q=1&q=2&e=")
        assert request.url is request.url  # cached
        assert request.headers.getlist("x-multi") == ["1", "2"]
        assert request.query_params.getlist("q") == ["1", "2"]
        assert request.query_params["e"] == ""
        assert request.cookies == {"a": "1", "b": "x y"}
        assert request.client == Address("127.0.0.1", 5000)
        assert request.method == "GET"
        assert request.path_params == {}

    def test_no_client_no_cookies(self, make_scope) -> None:
        request = Request(make_scope(client=None))
        assert request.client is None
        assert request.cookies == {}

    def test_base_url_uses_root_path(self, make_scope) -> None:
        scope = make_scope("/api/x", headers=[("host", "h")], root_path="/api", query_string=b"a=1")
        assert str(Request(scope).base_url) == "http://h/api/"
        assert str(Request(make_scope(headers=[("host", "h")])).base_url) == "http://h/"

    def test_state_lives_in_scope(self, make_scope) -> None:
        scope = make_scope()
        request = Request(scope)
        assert isinstance(request.state, State)
        request.state.user_id = 7
        assert scope["state"] == {"user_id": 7}
        assert Request(scope).state.user_id == 7

    def test_middleware_guards(self, make_scope) -> None:
        request = Request(make_scope())
        with pytest.raises(AssertionError, match="SessionMiddleware"):
            _ = request.session
        with pytest.raises(AssertionError, match="AuthenticationMiddleware"):
            _ = request.auth
        with pytest.raises(AssertionError, match="AuthenticationMiddleware"):
            _ = request.user
        scoped = Request(make_scope(session={"k": 1}, auth="creds", user="bob"))
        assert scoped.session == {"k": 1}
        assert (scoped.auth, scoped.user) == ("creds", "bob")

    def test_url_for(self, make_scope) -> None:
        class Router:
            def url_path_for(self, name: str, /, **params: Any) -> URLPath:
                return URLPath(f"/{name}/{params['id']}", "http")

        scope = make_scope(headers=[("host", "h")], router=Router(), root_path="/r")
        assert str(Request(scope).url_for("user", id=3)) == "http://h/r/user/3"
        with pytest.raises(RuntimeError, match="url_for"):
            Request(make_scope()).url_for("x")


class TestBody:
    def test_body_chunks_joined_and_cached(self, make_scope, channel, body) -> None:
        ch = channel(body(b"ab", b"", b"cd"))
        request = Request(make_scope(method="POST"), ch.receive)

        async def main() -> tuple[bytes, bytes, list[bytes]]:
            first = await request.body()
            second = await request.body()
            streamed = [c async for c in request.stream()]
            return first, second, streamed

        first, second, streamed = run(main())
        assert first == second == b"abcd"
        assert streamed == [b"abcd", b""]

    def test_received_body_never_reads(self, make_scope, channel, body) -> None:
        ch = channel(body(b"ab", b"cd"))
        request = Request(make_scope(method="POST"), ch.receive)

        async def main() -> tuple[bytes | None, bytes, bytes | None]:
            before = request.received_body
            whole = await request.body()
            return before, whole, request.received_body

        assert run(main()) == (None, b"abcd", b"abcd")

    def test_stream_yields_chunks(self, make_scope, channel, body) -> None:
        ch = channel(body(b"a", b"b"))
        request = Request(make_scope(), ch.receive)

        async def main() -> list[bytes]:
            return [c async for c in request.stream()]

        assert run(main()) == [b"a", b"b", b""]

    def test_stream_twice_raises(self, make_scope, channel, body) -> None:
        request = Request(make_scope(), channel(body(b"a")).receive)

        async def main() -> None:
            async for _ in request.stream():
                pass
            async for _ in request.stream():
                pass

        with pytest.raises(RuntimeError, match="Stream consumed"):
            run(main())

    def test_disconnect_raises_client_disconnect(self, make_scope, channel, body) -> None:
        messages = [*body(b"a", b"b")[:1], {"type": "http.disconnect"}]
        request = Request(make_scope(), channel(messages).receive)
        with pytest.raises(ClientDisconnect):
            run(request.body())

    def test_json(self, make_scope, channel, body) -> None:
        payload = {"a": [1, 2.5, "é"], "b": None}
        request = Request(make_scope(), channel(body(json.dumps(payload).encode())).receive)
        assert run(request.json()) == payload

    def test_invalid_json_raises_stdlib_error(self, make_scope, channel, body) -> None:
        request = Request(make_scope(), channel(body(b"{nope")).receive)
        with pytest.raises(json.JSONDecodeError):
            run(request.json())

    def test_empty_receive_default(self, make_scope) -> None:
        with pytest.raises(RuntimeError, match="Receive channel"):
            run(Request(make_scope()).body())


class TestDisconnect:
    def test_is_disconnected_does_not_block(self, make_scope, channel) -> None:
        request = Request(make_scope(), channel().receive)  # receive blocks forever
        assert run(request.is_disconnected()) is False

    def test_is_disconnected_sees_disconnect(self, make_scope, channel) -> None:
        request = Request(make_scope(), channel([{"type": "http.disconnect"}]).receive)
        assert run(request.is_disconnected()) is True
        assert run(request.is_disconnected()) is True

    def test_body_message_is_not_lost(self, make_scope, channel, body) -> None:
        request = Request(make_scope(), channel(body(b"kept")).receive)

        async def main() -> tuple[bool, bytes]:
            return await request.is_disconnected(), await request.body()

        assert run(main()) == (False, b"kept")

    def test_queue_based_receive(self, make_scope) -> None:
        async def main() -> tuple[bool, bool]:
            queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            request = Request(make_scope(), queue.get)
            before = await request.is_disconnected()
            await queue.put({"type": "http.disconnect"})
            after = await request.is_disconnected()
            return before, after

        assert run(main()) == (False, True)


class TestForm:
    def test_urlencoded(self, make_scope, channel, body) -> None:
        scope = make_scope(headers=[("content-type", "application/x-www-form-urlencoded")])
        request = Request(scope, channel(body(b"a=1&b=x+y&a=%C3%A9&empty=")).receive)

        async def main() -> Any:
            form = await request.form()
            again = await request.form()
            assert form is again
            return form

        form = run(main())
        assert form.getlist("a") == ["1", "é"]
        assert form["b"] == "x y"
        assert form["empty"] == ""

    def test_multipart_context_manager_closes_files(self, make_scope, channel, body) -> None:
        payload = (
            b'--B\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\nhello\r\n--B--\r\n"
        )
        scope = make_scope(headers=[("content-type", "multipart/form-data; boundary=B")])
        request = Request(scope, channel(body(payload)).receive)

        async def main() -> Any:
            async with request.form() as form:
                upload = form["f"]
                assert await upload.read() == b"hello"
            return upload

        upload = run(main())
        assert upload.file.closed

    def test_close_closes_uploads(self, make_scope, channel, body) -> None:
        payload = (
            b'--B\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nx\r\n--B--\r\n'
        )
        scope = make_scope(headers=[("content-type", "multipart/form-data; boundary=B")])
        request = Request(scope, channel(body(payload)).receive)

        async def main() -> Any:
            form = await request.form()
            await request.close()
            return form["f"]

        assert run(main()).file.closed

    def test_other_content_type_gives_empty_form(self, make_scope, channel, body) -> None:
        request = Request(
            make_scope(headers=[("content-type", "text/plain")]), channel(body(b"x")).receive
        )
        assert len(run(request.form())) == 0

    def test_limit_error_bare_vs_in_app(self, make_scope, channel, body) -> None:
        payload = (
            b"".join(
                b'--B\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nv\r\n' % i
                for i in range(3)
            )
            + b"--B--\r\n"
        )
        headers = [("content-type", "multipart/form-data; boundary=B")]
        bare = Request(make_scope(headers=headers), channel(body(payload)).receive)
        with pytest.raises(MultiPartException, match="Maximum number of fields is 2"):
            run(bare.form(max_fields=2))
        in_app = Request(make_scope(headers=headers, app=object()), channel(body(payload)).receive)
        with pytest.raises(HTTPException) as info:
            run(in_app.form(max_fields=2))
        assert info.value.status_code == 400
        assert "Maximum number of fields is 2" in str(info.value.detail)


def test_send_push_promise(make_scope, channel) -> None:
    ch = channel()
    plain = Request(make_scope(), ch.receive, ch.send)
    run(plain.send_push_promise("/style.css"))
    assert ch.sent == []
    scope = make_scope(
        headers=[("accept", "text/css"), ("x-other", "1")], extensions={"http.response.push": {}}
    )
    pushing = Request(scope, ch.receive, ch.send)
    run(pushing.send_push_promise("/style.css"))
    assert ch.sent == [
        {"type": "http.response.push", "path": "/style.css", "headers": [(b"accept", b"text/css")]}
    ]


def test_construction_is_lazy(make_scope) -> None:
    scope = make_scope(headers=[("host", "h")])
    request = Request(scope)
    assert "_headers" not in request.__dict__
    assert "_url" not in request.__dict__
    _ = request.headers
    assert "_headers" in request.__dict__


def test_send_early_hints_sends_103_links_when_the_server_can() -> None:
    from zephyr.requests import Request

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    hints = {"type": "http", "extensions": {"http.response.early_hint": {}}}
    asyncio.run(Request(hints, send=send).send_early_hints("</a.css>; rel=preload; as=style"))
    assert sent == [
        {"type": "http.response.early_hint", "links": [b"</a.css>; rel=preload; as=style"]}
    ]
    asyncio.run(Request({"type": "http"}, send=send).send_early_hints("</b.js>; rel=preload"))
    assert len(sent) == 1  # no extension: nothing to do
    with pytest.raises(RuntimeError, match="Send channel"):
        asyncio.run(Request(hints).send_early_hints("</a.css>; rel=preload"))


def test_state_items_and_attributes_are_one_dict() -> None:
    from zephyr.datastructures import State

    backing = {"old": 1}
    state = State(backing)
    state["new"] = 2
    assert state.new == 2 and backing == {"old": 1, "new": 2}
    assert sorted(state) == ["new", "old"] and len(state) == 2 and "old" in state
    del state["old"]
    with pytest.raises(KeyError):
        state["old"]
    with pytest.raises(AttributeError):
        state.old  # noqa: B018


def test_cookies_from_several_cookie_fields() -> None:
    from zephyr.requests import Request

    scope = {"type": "http", "headers": [(b"cookie", b"a=1"), (b"cookie", b"b=2; c=3")]}
    assert Request(scope).cookies == {"a": "1", "b": "2", "c": "3"}
