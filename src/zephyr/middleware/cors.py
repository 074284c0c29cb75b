"""``CORSMiddleware``: Cross-Origin Resource Sharing (Fetch standard, CORS protocol).

Two kinds of requests are handled:

* *Preflight* requests (``OPTIONS`` with ``Origin`` and
  ``Access-Control-Request-Method``) are answered here, never reaching the
  app: 200 when origin, method, headers (and private-network access, if asked)
  are all allowed, otherwise 400 with a plain-text body naming what was
  refused, e.g. ``Disallowed CORS method, headers`` (the parts, not the
  values: the answer does not echo request input back).
* *Simple* (actual) requests go to the app; CORS headers are added to its
  response when the origin is allowed, and ``Vary: Origin`` always.

``allow_methods=["*"]`` means the methods of :data:`ALL_METHODS`; a preflight
for any other (custom) method is refused.

Credentials and the ``*`` wildcard: a browser rejects ``Access-Control-Allow-Origin: *``
together with credentials. So with ``allow_origins=["*"]`` and
``allow_credentials=True`` the request's own origin is reflected, with
``Access-Control-Allow-Credentials: true`` (Starlette's behaviour): every
origin may then make credentialed calls, so pair ``"*"`` with credentials only
when that is what you mean; list the origins otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from zephyr.datastructures import Headers, MutableHeaders
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ALL_METHODS", "SAFELISTED_HEADERS", "CORSMiddleware"]

ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY")
"""The methods ``allow_methods=["*"]`` advertises in preflight answers."""

SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})
"""CORS-safelisted request headers (Fetch standard), always allowed."""

_PREFLIGHT_VARY = (
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, "
    "Access-Control-Request-Private-Network"
)


class CORSMiddleware:
    """Answer CORS preflights and add CORS headers to cross-origin responses.

    Args:
        app: The wrapped ASGI app.
        allow_origins: Origins allowed, e.g. ``["https://example.com"]``;
            ``["*"]`` allows any origin (reflected, with credentials, when
            ``allow_credentials`` is set; see module doc).
            Default: none.
        allow_methods: Methods allowed for cross-origin requests; ``["*"]``
            allows those of :data:`ALL_METHODS`. Default ``("GET",)``.
        allow_headers: Request headers allowed besides the safelisted ones;
            ``["*"]`` allows any. Matched case-insensitively. Default: none.
        allow_credentials: Send ``Access-Control-Allow-Credentials: true`` to
            allowed origins. Default ``False``.
        allow_origin_regex: A regex an origin must match *in full*
            (``re.fullmatch``), e.g. ``r"https://.*\\.example\\.org"``. Default ``None``.
        allow_private_network: Answer Private Network Access preflights
            (``Access-Control-Request-Private-Network: true``). Default ``False``.
        expose_headers: Response headers scripts may read
            (``Access-Control-Expose-Headers``). Default: none.
        max_age: Seconds browsers may cache a preflight answer
            (``Access-Control-Max-Age``). Default 600.
    """

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Sequence[str] = (),
        allow_methods: Sequence[str] = ("GET",),
        allow_headers: Sequence[str] = (),
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Sequence[str] = (),
        max_age: int = 600,
    ) -> None:
        self.app = app
        self.allow_any_origin = "*" in allow_origins
        self.allow_origins = frozenset(o for o in allow_origins if o != "*")
        self.allow_origin_regex = re.compile(allow_origin_regex) if allow_origin_regex else None
        self.allow_any_method = "*" in allow_methods
        self.allow_methods = (
            frozenset(ALL_METHODS)
            if self.allow_any_method
            else frozenset(m.upper() for m in allow_methods if m != "*")
        )
        self.allow_any_header = "*" in allow_headers
        self.allow_headers = SAFELISTED_HEADERS | {h.lower() for h in allow_headers if h != "*"}
        self.allow_credentials = allow_credentials
        self.allow_private_network = allow_private_network
        self.max_age = max_age
        methods = ALL_METHODS if self.allow_any_method else sorted(self.allow_methods)
        # PERF: the constant parts of both answers are built once here.
        self._preflight_base = {
            "Access-Control-Allow-Methods": ", ".join(methods),
            "Access-Control-Max-Age": str(max_age),
            "Vary": _PREFLIGHT_VARY,
        }
        if not self.allow_any_header:
            self._preflight_base["Access-Control-Allow-Headers"] = ", ".join(
                _title(h) for h in sorted(self.allow_headers)
            )
        self._expose = ", ".join(expose_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if (
            origin is not None
            and scope["method"] == "OPTIONS"
            and "access-control-request-method" in headers
        ):
            await self.preflight_response(headers, origin)(scope, receive, send)
            return
        await self.simple_response(scope, receive, send, origin)

    def origin_grant(self, origin: str) -> tuple[str, bool] | None:
        """Decide what to answer an origin.

        Args:
            origin: The ``Origin`` request header.

        Returns:
            ``(Access-Control-Allow-Origin value, send credentials?)``, or
            ``None`` when the origin is not allowed.
        """
        named = origin in self.allow_origins or (
            self.allow_origin_regex is not None
            and self.allow_origin_regex.fullmatch(origin) is not None
        )
        if named or (self.allow_any_origin and self.allow_credentials):
            # ``*`` cannot carry credentials, so a credentialed grant names the origin.
            return origin, self.allow_credentials
        if self.allow_any_origin:
            return "*", False
        return None

    def preflight_response(self, request_headers: Headers, origin: str) -> Response:
        """Build the answer to a preflight request.

        Args:
            request_headers: The preflight's headers.
            origin: Its ``Origin`` header.

        Returns:
            200 ``OK`` with the grant, or 400 naming each refused part.
        """
        headers = dict(self._preflight_base)
        refused: list[str] = []
        grant = self.origin_grant(origin)
        if grant is None:
            refused.append("origin")
        else:
            headers["Access-Control-Allow-Origin"] = grant[0]
            if grant[1]:
                headers["Access-Control-Allow-Credentials"] = "true"
        method = request_headers["access-control-request-method"]
        if method.upper() not in self.allow_methods:
            refused.append("method")
        requested = request_headers.get("access-control-request-headers", "")
        if self.allow_any_header:
            if requested:
                headers["Access-Control-Allow-Headers"] = requested
        else:
            names = [h.strip().lower() for h in requested.split(",") if h.strip()]
            if any(h not in self.allow_headers for h in names):
                refused.append("headers")
        if request_headers.get("access-control-request-private-network", "").lower() == "true":
            if self.allow_private_network:
                headers["Access-Control-Allow-Private-Network"] = "true"
            else:
                refused.append("private-network")
        if refused:
            body = "Disallowed CORS " + ", ".join(refused)
            return PlainTextResponse(body, status_code=400, headers=headers)
        return PlainTextResponse("OK", status_code=200, headers=headers)

    async def simple_response(
        self, scope: Scope, receive: Receive, send: Send, origin: str | None
    ) -> None:
        """Run the app and add CORS headers to its response start message.

        ``Vary: Origin`` is added even without an ``Origin`` header: a cache
        must not serve this CORS-less answer to a cross-origin request.
        """
        grant = self.origin_grant(origin) if origin is not None else None

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                if grant is not None:
                    headers["Access-Control-Allow-Origin"] = grant[0]
                    if grant[1]:
                        headers["Access-Control-Allow-Credentials"] = "true"
                    if self._expose:
                        headers["Access-Control-Expose-Headers"] = self._expose
                headers.add_vary_header("Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _title(header: str) -> str:
    return "-".join(part.capitalize() for part in header.split("-"))
