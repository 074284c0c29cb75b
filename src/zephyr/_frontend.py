"""``app.frontend()``: serve a single-page app's build directory below the API.

A frontend is the router's last resort: it answers only requests no route,
mount or trailing-slash redirect of the app took, so API routes always win,
wherever they are declared. Among several frontends the longest matching
path prefix (whole segments) serves. Files are served by zephyr's
:class:`~zephyr.staticfiles.StaticFiles` (conditional and range requests);
a directory serves its ``index.html`` (``/about`` redirects to ``/about/``).

For a path with no file, ``fallback`` decides:

* ``"index.html"``: a browser navigation (``Accept`` names ``text/html`` or
  ``application/xhtml+xml`` with a non-zero quality) gets ``index.html``
  with 200, so client-side routes such as ``/dashboard/settings`` load the
  app; other requests (a missing ``.js``, an API client) get the usual 404.
* ``"404.html"``: ``404.html`` with status 404, for every missing path.
* ``"auto"`` (default): ``404.html`` when the directory has one, else the
  ``index.html`` navigation fallback when it has that, else the usual 404.
* ``None``: the usual 404.

Only GET and HEAD are served: another method to a file (or a directory
with an index) is 405, to a path with no file 404. The app's and routers'
dependencies run before a frontend serves (with ``dependency_overrides``),
and their body limits apply. Frontends are not in OpenAPI.

``check_dir`` (``"auto"`` by default) checks the directory when the
frontend is declared: a missing one is an error, except in development
(``ZEPHYR_ENV`` or ``FASTAPI_ENV`` set to ``development``), where it is a
warning pointing at the line that declared it, so the API can run before
the frontend is built. ``True`` always fails early, ``False`` never checks
(the first request fails instead).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import warnings
from collections.abc import Sequence
from typing import Any, Literal

from zephyr import params
from zephyr._api.plans import OverridablePlan
from zephyr._body_limit import declared_length, enter_limit, nearest, refuse
from zephyr.concurrency import run_in_threadpool
from zephyr.datastructures import URL
from zephyr.dependencies.cleanup import DependencyStack
from zephyr.dependencies.compile import compile_endpoint
from zephyr.dependencies.models import Plan
from zephyr.dependencies.solve import solve
from zephyr.exceptions import HTTPException
from zephyr.requests import Request
from zephyr.responses import FileResponse, RedirectResponse, Response
from zephyr.routing import get_route_path
from zephyr.staticfiles import StaticFiles
from zephyr.types import ASGIApp, Receive, Scope, Send

__all__ = ["Fallback", "Frontend", "FrontendRouter", "check_fallback", "is_navigation"]

Fallback = Literal["auto", "index.html", "404.html"] | None
CheckDir = Literal["auto"] | bool

_FALLBACKS = ("auto", "index.html", "404.html", None)
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_ZEPHYR_DIR = os.path.dirname(os.path.abspath(__file__))


def check_fallback(fallback: Any) -> Fallback:
    """Validate a ``fallback`` setting.

    Raises:
        AssertionError: Not one of ``"auto"``, ``"index.html"``, ``"404.html"``, ``None``.
    """
    assert fallback in _FALLBACKS, f"fallback must be one of {_FALLBACKS!r}, not {fallback!r}"
    return fallback  # type: ignore[no-any-return]


def is_navigation(accept: str) -> bool:
    """Whether an ``Accept`` header asks for an HTML page (RFC 9110 section 12.5.1).

    Only an explicit ``text/html`` or ``application/xhtml+xml`` with a
    quality above zero counts; ``*/*`` alone does not (scripts and API
    clients send it). A quality that is not a number counts as 1.

    Args:
        accept: The header value (``""`` if absent).

    Returns:
        True for a browser navigation.
    """
    for item in accept.split(","):
        media, *parameters = item.split(";")
        if media.strip().lower() not in _PAGE_TYPES:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 1.0
        if quality > 0:
            return True
    return False


def development() -> bool:
    """Whether the process runs in development mode (``ZEPHYR_ENV``/``FASTAPI_ENV``)."""
    mode = os.environ.get("ZEPHYR_ENV") or os.environ.get("FASTAPI_ENV") or ""
    return mode.lower() == "development"


def _user_stacklevel() -> int:
    """The ``warnings`` stack level of the first caller outside zephyr."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_ZEPHYR_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _missing_directory(directory: str | os.PathLike[str]) -> str:
    return (
        f"Frontend directory {os.fspath(directory)!r} does not exist "
        f"(absolute path: {os.path.abspath(directory)!r})."
    )


def _missing_fallback(name: str, directory: str | os.PathLike[str]) -> str:
    return (
        f"Frontend fallback file {name!r} does not exist in directory "
        f"{os.fspath(directory)!r} (absolute path: {os.path.abspath(directory)!r})."
    )


def _noop() -> None:
    """The endpoint of a frontend's plan: only its dependencies do anything."""


class Frontend(OverridablePlan):
    """A directory served below ``path``, after every route of its router.

    Args:
        path: Where it is served, ``/``-rooted (a trailing ``/`` is dropped;
            ``"/"`` serves the whole app), router prefixes included.
        directory: The build directory (``dist``).
        fallback: What a path without a file gets; see the module docstring.
        check_dir: ``"auto"``, ``True`` or ``False``; see the module docstring.
        dependencies: ``Depends()`` run before serving (routers' first).
        max_body_size: The body limit in force (from its routers), or None.
        checked: Whether the directory was already checked (copies made by
            ``include_router`` do not check or warn again).

    Raises:
        AssertionError: ``path`` doesn't start with ``/``, or a bad ``fallback``.
        RuntimeError: The directory or an explicit fallback file is missing
            and ``check_dir`` asks for the check.
    """

    def __init__(
        self,
        path: str,
        *,
        directory: str | os.PathLike[str],
        fallback: Fallback = "auto",
        check_dir: CheckDir = "auto",
        dependencies: Sequence[params.Depends] = (),
        max_body_size: int | None = None,
        checked: bool = False,
    ) -> None:
        assert path.startswith("/"), "A frontend path must start with '/'"
        self.path = path.rstrip("/")
        self.directory = directory
        self.fallback = check_fallback(fallback)
        self.check_dir = check_dir
        self.dependencies = list(dependencies)
        self.max_body_size = max_body_size
        self.files = StaticFiles(directory=directory, check_dir=False)
        if not checked and check_dir is not False:
            self._check(strict=check_dir is True)
        self.plan = self._compile(None)
        self._override_plans: dict[tuple[Any, ...], Plan] = {}

    def copy(
        self,
        prefix: str,
        dependencies: Sequence[params.Depends],
        max_body_size: int | None,
    ) -> Frontend:
        """The frontend as included by ``include_router`` (prefix, dependencies, limit)."""
        return Frontend(
            prefix + (self.path or "/"),
            directory=self.directory,
            fallback=self.fallback,
            check_dir=self.check_dir,
            dependencies=[*dependencies, *self.dependencies],
            max_body_size=max_body_size if self.max_body_size is None else self.max_body_size,
            checked=True,
        )

    def _check(self, *, strict: bool) -> None:
        if not os.path.isdir(self.directory):
            if not strict and development():
                message = _missing_directory(self.directory)
                warnings.warn(message, UserWarning, stacklevel=_user_stacklevel())
                return
            raise RuntimeError(_missing_directory(self.directory))
        fallback = self.fallback
        if fallback in ("index.html", "404.html") and not os.path.isfile(
            os.path.join(self.directory, str(fallback))
        ):
            raise RuntimeError(_missing_fallback(str(fallback), self.directory))

    def _compile(self, overrides: dict[Any, Any] | None) -> Plan:
        return compile_endpoint(
            _noop, path_names=set(), dependencies=self.dependencies, overrides=overrides
        )

    def match(self, route_path: str) -> bool:
        """Whether ``route_path`` is at or below this frontend's path (whole segments)."""
        prefix = self.path
        return not prefix or route_path == prefix or route_path.startswith(prefix + "/")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the dependencies, then serve the file or the fallback."""
        limit = self.max_body_size
        if limit is not None:
            if declared_length(scope) > limit:
                await refuse(scope, receive, send)
                return
            receive = enter_limit(scope, receive, limit)
        request = Request(scope, receive, send)
        plan = self.plan
        overrides = getattr(scope.get("app"), "dependency_overrides", None)
        if overrides:
            plan = self.plan_for(overrides)
        if not plan.has_generators:
            await self._serve(plan, request, None, send)
            return
        # ``yield`` dependencies end as a route's do: after the response, each
        # cleanup shielded from a cancellation (see zephyr.dependencies.cleanup).
        stack = DependencyStack()
        with stack.scope(plan):
            try:
                await self._serve(plan, request, stack, send)
            except BaseException as exc:
                with stack.shielded():
                    if not await stack.__aexit__(type(exc), exc, exc.__traceback__):
                        raise
            else:
                with stack.shielded():
                    await stack.aclose()
                await stack.cancelled_meanwhile()

    async def _serve(
        self, plan: Plan, request: Request, stack: DependencyStack | None, send: Send
    ) -> None:
        """Run the dependencies (``yield`` ones on ``stack``), then send the file."""
        _, values = await solve(plan, request, stack)
        scope = request.scope
        response = await self._response(scope)
        if plan.response_slot >= 0:
            sub = values[plan.response_slot]
            response.raw_headers.extend(sub.raw_headers)
        if plan.background_slot >= 0:
            response.background = values[plan.background_slot]
        await response(scope, request.receive, send)

    async def _response(self, scope: Scope) -> Response:
        if not os.path.isdir(self.directory):
            raise RuntimeError(_missing_directory(self.directory))
        # The file path is what follows this frontend's own path.
        below = get_route_path(scope)[len(self.path) :] or "/"
        path = self.files.get_path({"type": "http", "path": below, "root_path": ""})
        full_path, found = await run_in_threadpool(self._lookup, path)
        kind = "missing"
        if found is not None and stat.S_ISREG(found.st_mode):
            kind = "file"
        elif found is not None and stat.S_ISDIR(found.st_mode):
            index = os.path.join(path, "index.html")
            full_path, found = await run_in_threadpool(self._lookup, index)
            if found is not None and stat.S_ISREG(found.st_mode):
                kind = "index"
        if scope["method"] not in ("GET", "HEAD"):
            if kind == "missing":
                raise HTTPException(status_code=404)
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        if kind == "index" and not scope["path"].endswith("/"):
            url = URL(scope=scope)
            return RedirectResponse(url=url.replace(path=url.path + "/"))
        if found is not None and kind != "missing":
            return self.files.file_response(full_path, found, scope)
        return await self._fallback(scope)

    async def _fallback(self, scope: Scope) -> Response:
        fallback = self.fallback
        if fallback in ("auto", "404.html"):
            full_path, found = await run_in_threadpool(self._lookup, "404.html")
            if found is not None and stat.S_ISREG(found.st_mode):
                return FileResponse(full_path, stat_result=found, status_code=404)
            if fallback == "404.html":
                raise RuntimeError(_missing_fallback("404.html", self.directory))
        if fallback in ("auto", "index.html"):
            accept = ""
            for name, value in scope["headers"]:
                if name == b"accept":
                    accept = value.decode("latin-1")
                    break
            if is_navigation(accept):
                full_path, found = await run_in_threadpool(self._lookup, "index.html")
                if found is not None and stat.S_ISREG(found.st_mode):
                    return self.files.file_response(full_path, found, scope)
                if fallback == "index.html":
                    raise RuntimeError(_missing_fallback("index.html", self.directory))
        raise HTTPException(status_code=404)

    def _lookup(self, path: str) -> tuple[str, os.stat_result | None]:
        """``StaticFiles.lookup_path`` with a refused read as 401, a bad name as 404."""
        try:
            return self.files.lookup_path(path)
        except PermissionError:
            raise HTTPException(status_code=401) from None
        except ValueError:
            return "", None
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                return "", None
            raise


class FrontendRouter:
    """What ``APIRouter`` does with frontends: declare, include and serve them.

    The router serves a frontend from its ``default`` handler, the one it
    calls for what no route, mount or redirect took, so frontends never
    cost a matched request anything.
    """

    prefix: str
    dependencies: list[params.Depends]
    max_body_size: int | None
    default: ASGIApp

    def _init_frontends(self) -> None:
        # Single-page apps served when no route matches, longest path first.
        self.frontends: list[Frontend] = []
        self._default_without_frontends = self.default

    def frontend(
        self,
        path: str,
        *,
        directory: str | os.PathLike[str],
        fallback: Fallback = "auto",
        check_dir: Literal["auto"] | bool = "auto",
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        """Serve a single-page app's files below ``path``, after every route.

        Args:
            path: ``/``-rooted path below the router's prefix (``"/"``: everything).
            directory: The build directory.
            fallback: ``"auto"``, ``"index.html"``, ``"404.html"`` or ``None``:
                what a path without a file gets (see :mod:`zephyr._frontend`).
            check_dir: Check the directory now: ``"auto"`` (a warning in
                development, else an error), ``True`` or ``False``.
            dependencies: ``Depends()`` run before serving, after the router's.

        Raises:
            AssertionError: ``path`` doesn't start with ``/``; a bad ``fallback``.
            RuntimeError: A missing directory or fallback file (see ``check_dir``).
        """
        assert path.startswith("/"), "A frontend path must start with '/'"
        self._add_frontend(
            Frontend(
                self.prefix + path,
                directory=directory,
                fallback=fallback,
                check_dir=check_dir,
                dependencies=[*self.dependencies, *(dependencies or [])],
                max_body_size=self.max_body_size,
            )
        )

    def _add_frontend(self, frontend: Frontend) -> None:
        self.frontends.append(frontend)
        self.frontends.sort(key=lambda item: len(item.path), reverse=True)
        self.default = self._serve_frontend

    async def _serve_frontend(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The router's answer to what no route took: a matching frontend, else the 404."""
        if scope["type"] == "http":
            route_path = get_route_path(scope)
            for frontend in self.frontends:
                if frontend.match(route_path):
                    await frontend.handle(scope, receive, send)
                    return
        await self._default_without_frontends(scope, receive, send)

    def _include_frontends(
        self,
        router: Any,
        prefix: str,
        dependencies: Sequence[params.Depends] | None,
        max_body_size: int | None,
    ) -> None:
        """Copy ``router``'s frontends for ``include_router`` (prefix, dependencies, limit)."""
        limit = nearest(max_body_size, self.max_body_size)
        # Dependencies run outermost first: this router's, the inclusion's, then its own.
        outer = [*self.dependencies, *(dependencies or [])]
        for frontend in getattr(router, "frontends", ()):
            self._add_frontend(frontend.copy(prefix, outer, limit))
