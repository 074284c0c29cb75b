"""``SessionMiddleware``: a per-client dict stored in a signed cookie.

The session (``request.session``, ``scope["session"]``) is JSON, URL-safe
base64 encoded and signed with itsdangerous' ``TimestampSigner`` (HMAC-SHA1 over the
value and a timestamp). The content is readable by the client, only not
forgeable: keep secrets out of it. The cookie is (re)sent only when the
session changed during the request, and deleted when it was emptied.

A cookie that is tampered with, signed with an unknown key, older than
``max_age`` or not a JSON object yields an empty session: never an error.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any, Literal

from zephyr.datastructures import MutableHeaders, Secret
from zephyr.requests import HTTPConnection
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

try:
    import itsdangerous
except ModuleNotFoundError:  # pragma: no cover - exercised via the ImportError message
    itsdangerous = None  # type: ignore[assignment]

__all__ = ["Session", "SessionMiddleware"]

_DELETED_EXPIRES = "Thu, 01 Jan 1970 00:00:00 GMT"


class Session(dict[str, Any]):
    """The session dict, remembering whether the request read or changed it.

    ``accessed`` decides ``Vary: Cookie`` (a response that depends on the
    session must not be shared by caches across clients); ``modified`` is
    set by every mutating method that changed something. ``request.session``
    marks the session accessed.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accessed = False
        self.modified = False

    def mark_accessed(self) -> None:
        """Record that the request looked at the session."""
        self.accessed = True

    def mark_modified(self) -> None:
        """Record that the request changed the session (which implies it looked)."""
        self.accessed = True
        self.modified = True

    def __setitem__(self, key: str, value: Any) -> None:
        self.mark_modified()
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.mark_modified()
        super().__delitem__(key)

    def clear(self) -> None:
        self.mark_modified()
        super().clear()

    def pop(self, key: str, *default: Any) -> Any:
        if key in self:
            self.mark_modified()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        self.mark_modified()
        return super().popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self.mark_modified()
        return super().setdefault(key, default)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.mark_modified()
        super().update(*args, **kwargs)

    def __ior__(self, other: Any) -> Session:  # type: ignore[override,misc]
        self.update(other)
        return self


class SessionMiddleware:
    """Load ``scope["session"]`` from a signed cookie and save it back when changed.

    Args:
        app: The wrapped ASGI app.
        secret_key: Signing key, or a list of keys for rotation: the first
            signs, every key verifies (so old cookies stay valid while they
            expire). ``str`` or ``Secret``.
        session_cookie: Cookie name. Default ``"session"``.
        max_age: Lifetime in seconds, enforced both in the cookie's
            ``Max-Age`` and on the signature timestamp. Default 14 days;
            ``None`` for a browser-session cookie with no server-side expiry.
        path: Cookie ``Path``. Default ``"/"``.
        same_site: ``"lax"`` (default), ``"strict"`` or ``"none"``.
        https_only: Add ``Secure``. Default ``False``.
        domain: Cookie ``Domain``. Default ``None`` (host-only).
        partitioned: Add ``Partitioned`` (CHIPS: a per-top-level-site cookie
            jar, for sessions inside third-party iframes; browsers want
            ``same_site="none"`` and ``https_only`` with it). Default ``False``.

    Raises:
        ImportError: itsdangerous is not installed.
        ValueError: No key was given.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str | Secret | Sequence[str | Secret],
        session_cookie: str = "session",
        max_age: int | None = 14 * 24 * 60 * 60,
        path: str = "/",
        same_site: Literal["lax", "strict", "none"] = "lax",
        https_only: bool = False,
        domain: str | None = None,
        partitioned: bool = False,
    ) -> None:
        if itsdangerous is None:
            raise ImportError(
                "SessionMiddleware requires itsdangerous. Install it with: "
                "pip install 'zephyr[standard]'"
            )
        keys = [secret_key] if isinstance(secret_key, str | Secret) else list(secret_key)
        if not keys:
            raise ValueError("SessionMiddleware needs at least one secret key.")
        # itsdangerous signs with the LAST key and verifies with all of them.
        self.signer = itsdangerous.TimestampSigner([str(k) for k in reversed(keys)])
        self.app = app
        self.session_cookie = session_cookie
        self.max_age = max_age
        self.path = path
        self.same_site = same_site
        self.https_only = https_only
        self.domain = domain
        self.partitioned = partitioned

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cookie = HTTPConnection(scope).cookies.get(self.session_cookie)
        session = Session(self.load(cookie) if cookie else {})
        scope["session"] = session
        had_cookie = bool(session)
        initial = _dump(session) if had_cookie else b""

        async def send_with_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                header = self._cookie_header(current, initial, had_cookie)
                accessed = header is not None or getattr(current, "accessed", True)
                if header is not None or accessed:
                    message.setdefault("headers", [])
                    headers = MutableHeaders(scope=message)
                    if accessed:
                        # The response depends on the session: caches must key on Cookie.
                        headers.add_vary_header("Cookie")
                    if header is not None:
                        headers.append("Set-Cookie", header)
            await send(message)

        await self.app(scope, receive, send_with_session)

    def load(self, cookie: str) -> dict[str, Any]:
        """Decode a session cookie value.

        Args:
            cookie: The raw cookie value.

        Returns:
            The session dict; ``{}`` when the signature, age or content is bad.
        """
        try:
            payload = self.signer.unsign(cookie.encode("latin-1"), max_age=self.max_age)
            padded = payload + b"=" * (-len(payload) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded))
        except (
            itsdangerous.BadSignature,
            binascii.Error,
            UnicodeError,
            ValueError,
        ):
            return {}
        return data if isinstance(data, dict) else {}

    def dumps(self, session: dict[str, Any]) -> str:
        """Encode and sign a session dict as a cookie value."""
        # Unpadded URL-safe base64: the value needs no cookie quoting (RFC 6265 cookie-octets).
        payload = base64.urlsafe_b64encode(_dump(session)).rstrip(b"=")
        return self.signer.sign(payload).decode("ascii")

    def _cookie_header(self, session: dict[str, Any], initial: bytes, had: bool) -> str | None:
        if session:
            data = _dump(session)
            if data == initial:
                return None  # unchanged: nothing to send
            value, max_age, expires = self.dumps(session), self.max_age, None
        elif had:
            value, max_age, expires = "null", None, _DELETED_EXPIRES
        else:
            return None
        return self._format_cookie(value, max_age, expires)

    def _format_cookie(self, value: str, max_age: int | None, expires: str | None) -> str:
        """Write the ``Set-Cookie`` value in the layout Starlette's session cookie has.

        Attribute names are case-insensitive (RFC 6265 section 5.2), but code
        written for Starlette parses this header (``; path=/app;``), so the
        session cookie keeps its lower-case names and order. The value needs
        no quoting: it is URL-safe base64 plus the signer's separators.
        """
        parts = [f"{self.session_cookie}={value}", f"path={self.path}"]
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        if expires is not None:
            parts.append(f"expires={expires}")
        parts.append("httponly")
        parts.append(f"samesite={self.same_site}")
        if self.https_only:
            parts.append("secure")
        if self.domain is not None:
            parts.append(f"domain={self.domain}")
        if self.partitioned:
            parts.append("partitioned")
        return "; ".join(parts)


def _dump(session: dict[str, Any]) -> bytes:
    return json.dumps(session, separators=(",", ":"), sort_keys=True).encode("utf-8")
