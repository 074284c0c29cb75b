"""Request tasks started eagerly (Python 3.12+): same answers, same task semantics.

On 3.12+ a request whose app never awaits I/O is answered inside
``data_received``, once the parser has returned; everything an endpoint can
observe (its task, timeouts, cancel scopes, context variables) is as in a
scheduled task. On 3.11 the same tests check the scheduled path.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import traceback
from typing import Any

import anyio
import pytest

from zephyr import Zephyr
from zephyr.server.state import ServerState

from .conftest import MakeConn
from .test_protocol import GET, run

EAGER = sys.version_info >= (3, 12)
REQUEST_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("request_var", default="unset")


async def respond(send: Any, body: bytes, status: int = 200) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def text_app(scope: Any, receive: Any, send: Any) -> None:
    await respond(send, scope["path"].encode())


def test_request_that_never_awaits_is_answered_before_the_loop_turns(
    make_conn: MakeConn,
) -> None:
    async def main() -> None:
        conn = make_conn(text_app)
        conn.feed(b"GET /now HTTP/1.1\r\nHost: x\r\n\r\n")
        answered_at_once = conn.responses()
        await conn.settle()
        assert [r.body for r in conn.responses()] == [b"/now"]
        assert bool(answered_at_once) is EAGER
        # The message was complete when it was answered: kept alive, nothing left.
        assert not conn.transport.closed
        assert conn.proto.cycle is None and not conn.state.tasks
        conn.feed(GET)
        await conn.settle()
        assert len(conn.responses()) == 2

    run(main())


def test_pipelined_requests_in_one_read_run_in_order_without_nesting(
    make_conn: MakeConn,
) -> None:
    depths: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        depths.append(len(traceback.extract_stack()))
        await respond(send, scope["path"].encode())

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(40)))
        await conn.wait_for(lambda: len(conn.responses()) == 40)
        assert [r.body for r in conn.responses()] == [b"/%d" % i for i in range(40)]
        assert not conn.transport.closed and not conn.state.tasks

    run(main())
    assert max(depths) - min(depths) < 10  # no request runs inside the one before


def test_body_in_the_same_read_is_delivered_and_the_connection_kept(
    make_conn: MakeConn,
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        message = await receive()
        await respond(send, message["body"][::-1])

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + GET)
        await conn.settle()
        assert [r.body for r in conn.responses()] == [b"cba", b""]
        assert not conn.transport.closed

    run(main())


def test_endpoint_sees_its_own_task_tracked_while_it_awaits(make_conn: MakeConn) -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        before = asyncio.current_task()
        await asyncio.sleep(0.001)
        after = asyncio.current_task()
        seen.extend([before, after, state.tasks.copy()])
        await respond(send, b"ok")

    state = ServerState()

    async def main() -> None:
        conn = make_conn(app, state=state)
        conn.feed(GET)
        await conn.wait_for(lambda: bool(conn.responses()))
        await conn.settle()
        assert not state.tasks

    run(main())
    before, after, tracked = seen
    assert isinstance(before, asyncio.Task) and before is after
    assert tracked == {before}


def test_asyncio_timeout_inside_an_endpoint(make_conn: MakeConn) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        async with asyncio.timeout(5):  # never fires: the request is answered first
            pass
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(5)
        except TimeoutError:
            await respond(send, b"timed out", 504)
            return
        await respond(send, b"not cancelled")

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_for(lambda: bool(conn.responses()))
        [response] = conn.responses()
        assert (response.status, response.body) == (504, b"timed out")
        assert asyncio.current_task() is not None  # the test's own task is untouched

    run(main())


def test_anyio_cancel_scopes_and_task_groups_inside_an_endpoint(make_conn: MakeConn) -> None:
    bodies: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        with anyio.move_on_after(0.01) as moved:
            await anyio.sleep(5)
        done: list[str] = []

        async def child(name: str) -> None:
            await anyio.sleep(0)
            done.append(name)

        async with anyio.create_task_group() as group:
            group.start_soon(child, "a")
            group.start_soon(child, "b")
        await respond(send, f"{moved.cancelled_caught} {sorted(done)}".encode())

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_for(lambda: bool(conn.responses()))
        bodies.extend(r.body for r in conn.responses())

    run(main())
    assert bodies == [b"True ['a', 'b']"]


def test_context_variables_stay_in_their_request(make_conn: MakeConn) -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(REQUEST_VAR.get())
        REQUEST_VAR.set(scope["path"])
        await respond(send, REQUEST_VAR.get().encode())

    async def main() -> None:
        conn = make_conn(app)
        for path in (b"/one", b"/two"):
            conn.feed(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path)
            await conn.settle()
        assert [r.body for r in conn.responses()] == [b"/one", b"/two"]
        assert REQUEST_VAR.get() == "unset"

    run(main())
    assert seen == ["unset", "unset"]


def test_a_loop_task_factory_is_still_used(make_conn: MakeConn) -> None:
    made: list[Any] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    async def main() -> None:
        asyncio.get_running_loop().set_task_factory(factory)
        conn = make_conn(text_app)
        conn.feed(GET)
        await conn.settle()
        assert len(conn.responses()) == 1

    run(main())
    # A compiled core's coroutines have no __qualname__; their type names it.
    names = [
        getattr(coro, "__qualname__", type(coro).__name__)
        for coro in (task.get_coro() for task in made)
    ]
    assert (
        names.count("RequestResponseCycle.run_asgi")
        + names.count("run_asgi_RequestResponseCycle_gen")
        == 1
    )


@pytest.mark.parametrize("path", ["/timeout", "/scope"])
def test_zephyr_endpoints_with_timeouts_and_cancel_scopes(make_conn: MakeConn, path: str) -> None:
    app = Zephyr()

    @app.get("/timeout")
    async def timeout() -> dict[str, str]:
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(5)
        except TimeoutError:
            return {"result": "timed out"}
        return {"result": "no"}

    @app.get("/scope")
    async def scope() -> dict[str, Any]:
        with anyio.fail_after(5):
            task = asyncio.current_task()
        return {"result": task is not None and not task.done()}

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
        await conn.wait_for(lambda: bool(conn.responses()))
        [response] = conn.responses()
        assert response.status == 200
        expected = b'{"result":"timed out"}' if path == "/timeout" else b'{"result":true}'
        assert response.body == expected

    run(main())
