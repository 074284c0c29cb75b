"""The incoming side of a connection: ``HTTPConnection`` and ``Request``.

Both are thin views over the ASGI scope. PERF: constructing one only stores
the scope and channels; URL, headers, query parameters and cookies are built
the first time they are read, then cached on the instance.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Awaitable, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

import pydantic_core

from zephyr._cookies import parse_cookie_header
from zephyr.datastructures import URL, Address, FormData, Headers, QueryParams, State
from zephyr.exceptions import HTTPException
from zephyr.formparsers import (
    FormParser,
    MultiPartException,
    MultiPartParser,
    parse_options_header,
    require_multipart,
)
from zephyr.types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from zephyr.datastructures import URLPath

__all__ = ["ClientDisconnect", "HTTPConnection", "Request", "empty_receive", "empty_send"]

T = TypeVar("T")


class ClientDisconnect(Exception):
    """The client went away (``http.disconnect``) while the body was being read."""


async def empty_receive() -> NoReturn:
    """Placeholder receive channel for requests built without one."""
    raise RuntimeError("Receive channel has not been made available")


async def empty_send(message: Message) -> NoReturn:
    """Placeholder send channel for requests built without one."""
    raise RuntimeError("Send channel has not been made available")


class HTTPConnection(Mapping[str, Any]):
    """What HTTP requests and WebSocket connections have in common.

    It is also a read-only mapping over the ASGI scope.

    Args:
        scope: The ASGI scope (type ``"http"`` or ``"websocket"``).
        receive: The ASGI receive channel, if any.
    """

    def __init__(self, scope: Scope, receive: Receive | None = None) -> None:
        assert scope["type"] in ("http", "websocket")
        self.scope = scope

    def __getitem__(self, key: str) -> Any:
        return self.scope[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.scope)

    def __len__(self) -> int:
        return len(self.scope)

    # Connections compare and hash by identity, so they can key dicts/sets.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    @property
    def app(self) -> Any:
        """The application from ``scope["app"]``."""
        return self.scope["app"]

    @property
    def url(self) -> URL:
        """The full request URL (scheme, Host header, path, query)."""
        url: URL | None = self.__dict__.get("_url")
        if url is None:
            url = self.__dict__["_url"] = URL(scope=self.scope)
        return url

    @property
    def base_url(self) -> URL:
        """The URL of the application root (``root_path`` + ``/``), no query."""
        url: URL | None = self.__dict__.get("_base_url")
        if url is None:
            root = self.scope.get("app_root_path", self.scope.get("root_path", ""))
            path = root if root.endswith("/") else root + "/"
            base_scope = dict(self.scope, path=path, query_string=b"", root_path=root)
            url = self.__dict__["_base_url"] = URL(scope=base_scope)
        return url

    @property
    def headers(self) -> Headers:
        """The request headers (case-insensitive, multi-valued)."""
        headers: Headers | None = self.__dict__.get("_headers")
        if headers is None:
            headers = self.__dict__["_headers"] = Headers(scope=self.scope)
        return headers

    @property
    def query_params(self) -> QueryParams:
        """The parsed query string."""
        params: QueryParams | None = self.__dict__.get("_query_params")
        if params is None:
            params = QueryParams.from_query_string(self.scope.get("query_string", b""))
            self.__dict__["_query_params"] = params
        return params

    @property
    def path_params(self) -> dict[str, Any]:
        """Path parameters set by the router (``{}`` before routing)."""
        params: dict[str, Any] = self.scope.get("path_params", {})
        return params

    @property
    def cookies(self) -> dict[str, str]:
        """Cookies from the ``Cookie`` header (a repeated name keeps the last value).

        Several ``Cookie`` fields (as HTTP/2 and HTTP/3 clients may send, RFC
        9113 §8.2.3) count as one, joined with ``"; "``.
        """
        cookies: dict[str, str] | None = self.__dict__.get("_cookies")
        if cookies is None:
            fields = self.headers.getlist("cookie")
            header = fields[0] if len(fields) == 1 else "; ".join(fields)
            cookies = parse_cookie_header(header) if header else {}
            self.__dict__["_cookies"] = cookies
        return cookies

    @property
    def client(self) -> Address | None:
        """The peer ``Address(host, port)``, or ``None`` if the server did not say."""
        client = self.scope.get("client")
        if client is None:
            return None
        return Address(*client)

    @property
    def session(self) -> dict[str, Any]:
        """The session dict. Raises AssertionError without SessionMiddleware."""
        assert "session" in self.scope, (
            "SessionMiddleware must be installed to access request.session"
        )
        session: dict[str, Any] = self.scope["session"]
        mark_accessed = getattr(session, "mark_accessed", None)
        if mark_accessed is not None:  # SessionMiddleware's Session decides Vary: Cookie
            mark_accessed()
        return session

    @property
    def auth(self) -> Any:
        """Credentials set by AuthenticationMiddleware (AssertionError without it)."""
        assert "auth" in self.scope, (
            "AuthenticationMiddleware must be installed to access request.auth"
        )
        return self.scope["auth"]

    @property
    def user(self) -> Any:
        """The user set by AuthenticationMiddleware (AssertionError without it)."""
        assert "user" in self.scope, (
            "AuthenticationMiddleware must be installed to access request.user"
        )
        return self.scope["user"]

    @property
    def state(self) -> State:
        """Per-request state, stored in ``scope["state"]`` (shared with lifespan state)."""
        state: State | None = self.__dict__.get("_state")
        if state is None:
            self.scope.setdefault("state", {})
            state = self.__dict__["_state"] = State(self.scope["state"])
        return state

    def url_for(self, name: str, /, **path_params: Any) -> URL:
        """Build the absolute URL of the named route.

        Args:
            name: The route name.
            **path_params: Values for the route's path parameters.

        Returns:
            An absolute ``URL`` under ``base_url``.

        Raises:
            RuntimeError: No router or app in the scope.
            NoMatchFound: (from the router) no such route / wrong parameters.
        """
        provider = self.scope.get("router") or self.scope.get("app")
        if provider is None:
            raise RuntimeError(
                "The `url_for` method can only be used inside a Starlette application "
                "or with a router."
            )
        url_path: URLPath = provider.url_path_for(name, **path_params)
        return url_path.make_absolute_url(base_url=self.base_url)


class AwaitableOrContextManager(Generic[T]):
    """Wrap an awaitable so it can also be used with ``async with`` (closing it on exit)."""

    def __init__(self, awaitable: Awaitable[T]) -> None:
        self.awaitable = awaitable
        self.entered: Any = None

    def __await__(self) -> Generator[Any, None, T]:
        return self.awaitable.__await__()

    async def __aenter__(self) -> T:
        self.entered = await self.awaitable
        return self.entered  # type: ignore[no-any-return]

    async def __aexit__(self, *args: object) -> None:
        await self.entered.close()


class Request(HTTPConnection):
    """An HTTP request: scope plus the body, read from the receive channel.

    Args:
        scope: The ASGI HTTP scope.
        receive: The ASGI receive channel (default: one that raises if used).
        send: The ASGI send channel (used only for server push).
    """

    _form: FormData | None

    def __init__(self, scope: Scope, receive: Receive = empty_receive, send: Send = empty_send):
        assert scope["type"] == "http"
        # PERF: only plain attribute stores; everything else is lazy.
        self.scope = scope
        self._receive = receive
        self._send = send
        self._stream_consumed = False
        self._is_disconnected = False
        self._form = None
        self._pending: Message | None = None

    @property
    def method(self) -> str:
        """The request method, e.g. ``"GET"``."""
        method: str = self.scope["method"]
        return method

    @property
    def receive(self) -> Receive:
        """The ASGI receive channel."""
        return self._receive

    async def _next_message(self) -> Message:
        message = self._pending
        if message is not None:
            self._pending = None
            return message
        return await self._receive()

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """Yield the body in chunks as they arrive (after ``body()``, the cached body).

        Returns:
            Async iterator of ``bytes`` chunks; ends with one ``b""``.

        Raises:
            RuntimeError: The stream was already consumed (and not cached by ``body()``).
            ClientDisconnect: ``http.disconnect`` arrived before the body ended.
        """
        if "_body" in self.__dict__:
            yield self._body
            yield b""
            return
        if self._stream_consumed:
            raise RuntimeError("Stream consumed")
        while not self._stream_consumed:
            message = await self._next_message()
            if message["type"] == "http.request":
                body = message.get("body", b"")
                if not message.get("more_body", False):
                    self._stream_consumed = True
                if body:
                    yield body
            elif message["type"] == "http.disconnect":
                self._is_disconnected = True
                raise ClientDisconnect()
        yield b""

    async def body(self) -> bytes:
        """Read (once) and return the whole body.

        Raises:
            ClientDisconnect: The client went away before the body ended.
        """
        if "_body" not in self.__dict__:
            if not self._stream_consumed and self._pending is None:
                # PERF: a body in one message (the usual case) skips the
                # stream generator; anything else is pushed back for it.
                message = await self._receive()
                if message["type"] == "http.request" and not message.get("more_body", False):
                    self._stream_consumed = True
                    whole: bytes = message.get("body", b"")
                    self._body: bytes = whole
                    return whole
                self._pending = message
            chunks = [chunk async for chunk in self.stream()]
            # PERF: single-chunk bodies (the common case) skip the join copy.
            non_empty = [chunk for chunk in chunks if chunk]
            self._body = non_empty[0] if len(non_empty) == 1 else b"".join(non_empty)
        return self._body

    @property
    def received_body(self) -> bytes | None:
        """The body if :meth:`body` has read it, else ``None``; never reads.

        A zephyr extension, for code that reports on a request after the fact
        (the 422 error's ``body``) without consuming an unread stream.
        """
        body: bytes | None = self.__dict__.get("_body")
        return body

    async def json(self) -> Any:
        """Parse (once) and return the body as JSON.

        Raises:
            json.JSONDecodeError: The body is not valid JSON.
        """
        if "_json" not in self.__dict__:
            body = await self.body()
            try:
                # PERF: pydantic_core's Rust parser is ~2x faster than json.loads.
                self._json = pydantic_core.from_json(body)
            except ValueError:
                # Re-parse to raise the stdlib's JSONDecodeError that callers catch.
                self._json = json.loads(body)
        return self._json

    async def _get_form(
        self, *, max_files: int | float, max_fields: int | float, max_part_size: int
    ) -> FormData:
        if self._form is None:
            require_multipart()
            content_type, _ = parse_options_header(self.headers.get("content-type", ""))
            try:
                if content_type == b"multipart/form-data":
                    parser = MultiPartParser(
                        self.headers,
                        self.stream(),
                        max_files=max_files,
                        max_fields=max_fields,
                        max_part_size=max_part_size,
                    )
                    self._form = await parser.parse()
                elif content_type == b"application/x-www-form-urlencoded":
                    fields = FormParser(
                        self.headers,
                        self.stream(),
                        max_fields=max_fields,
                        max_part_size=max_part_size,
                    )
                    self._form = await fields.parse()
                else:
                    self._form = FormData()
            except MultiPartException as exc:
                # Inside an app the client gets a 400/413; bare use sees the parser error.
                if "app" in self.scope:
                    raise HTTPException(status_code=exc.status_code, detail=exc.message) from exc
                raise
        return self._form

    def form(
        self,
        *,
        max_files: int | float = 1000,
        max_fields: int | float = 1000,
        max_part_size: int = 1024 * 1024,
    ) -> AwaitableOrContextManager[FormData]:
        """Parse (once) and return the form body; usable as ``async with request.form()``.

        Args:
            max_files: Most file parts (multipart only). Default 1000.
            max_fields: Most non-file parts (multipart) or fields (urlencoded).
                Default 1000.
            max_part_size: Most bytes in one non-file part or urlencoded field
                value. Default 1 MiB.

        Returns:
            An awaitable giving ``FormData``; as a context manager it closes the
            uploads on exit.

        Raises:
            MultiPartException: A limit was exceeded or the body is malformed
                (``HTTPException`` 400 or 413 instead when ``scope["app"]`` is set).
            ImportError: python-multipart is not installed.
        """
        return AwaitableOrContextManager(
            self._get_form(max_files=max_files, max_fields=max_fields, max_part_size=max_part_size)
        )

    async def close(self) -> None:
        """Close uploaded files of a parsed form, if any."""
        if self._form is not None:
            await self._form.close()

    async def is_disconnected(self) -> bool:
        """Check, without waiting, whether the client has disconnected.

        Returns:
            True once ``http.disconnect`` has been seen. A body message received
            by the check is kept for ``stream()``, not lost.
        """
        if not self._is_disconnected and self._pending is None:
            message = _receive_nowait(self._receive)
            if message is not None:
                if message["type"] == "http.disconnect":
                    self._is_disconnected = True
                else:
                    self._pending = message
        return self._is_disconnected

    async def send_push_promise(self, path: str) -> None:
        """Ask the server to push ``path`` (HTTP/2 server push); a no-op if unsupported."""
        if "http.response.push" not in self.scope.get("extensions", {}):
            return
        raw_headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name in (
                "accept",
                "accept-encoding",
                "accept-language",
                "cache-control",
                "user-agent",
            )
            for value in self.headers.getlist(name)
        ]
        await self._send({"type": "http.response.push", "path": path, "headers": raw_headers})

    async def send_early_hints(self, *links: str) -> None:
        """Send a ``103 Early Hints`` informational response (RFC 8297) with ``Link`` headers.

        The client can start fetching the linked resources (``rel=preload``)
        while the app is still working on the final response. A no-op when the
        server lacks the ASGI ``http.response.early_hint`` extension.

        Args:
            *links: ``Link`` field values, e.g. ``"</app.css>; rel=preload; as=style"``.

        Raises:
            RuntimeError: The request was built without a send channel.
        """
        if "http.response.early_hint" not in self.scope.get("extensions", {}):
            return
        if self._send is empty_send:
            raise RuntimeError("Send channel has not been made available")
        encoded = [link.encode("latin-1") for link in links]
        await self._send({"type": "http.response.early_hint", "links": encoded})


# Request headers a pushed request inherits (they shape the pushed response).
_PUSH_HEADERS = ("accept", "accept-encoding", "accept-language", "cache-control", "user-agent")


def _receive_nowait(receive: Receive) -> Message | None:
    """Return the next message if ``receive()`` can produce it without waiting, else None."""
    # PERF/why: stepping the awaitable once is a zero-timeout receive with no
    # task or loop turn; if it would block, closing it unwinds its waiter.
    waiter = receive().__await__()
    try:
        waiter.send(None)
    except StopIteration as done:
        result: Message = done.value
        return result
    waiter.close()
    return None
