"""``StaticFiles``: serve a directory (or package data) over HTTP, safely.

The request path is checked segment by segment before it touches the file
system: ``..``, backslashes, NUL and drive letters are refused outright (the
server has already percent-decoded the path, so ``%2e%2e%2f`` and ``%5c``
arrive here as ``../`` and ``\\``). The resolved file must then lie inside the
served directory; with ``follow_symlink=False`` (the default) symlinks are
resolved first, so one pointing outside is a 404.
"""

from __future__ import annotations

import importlib.util
import os
import re
import stat
from collections.abc import Sequence
from typing import Union

from zephyr.concurrency import run_in_threadpool
from zephyr.datastructures import URL
from zephyr.exceptions import HTTPException
from zephyr.responses import FileResponse, RedirectResponse, Response
from zephyr.routing import get_route_path
from zephyr.types import Receive, Scope, Send

__all__ = ["NotModifiedResponse", "PathLike", "StaticFiles"]

PathLike = Union[str, "os.PathLike[str]"]

# A Windows drive ("C:", "c:foo"): meaningless on POSIX, an escape on Windows.
_DRIVE = re.compile(r"^[A-Za-z]:")


class NotModifiedResponse(Response):
    """A bodiless 304 carrying the validators of the response it replaces.

    Args:
        headers: The headers of the full response; only ``ETag``,
            ``Cache-Control``, ``Content-Location``, ``Date``, ``Expires``,
            ``Last-Modified`` and ``Vary`` are kept (RFC 9110 section 15.4.5).
    """

    NOT_MODIFIED_HEADERS = (
        "cache-control",
        "content-location",
        "date",
        "etag",
        "expires",
        "last-modified",
        "vary",
    )

    def __init__(self, headers: Sequence[tuple[bytes, bytes]] | None = None) -> None:
        kept = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in (headers or ())
            if k.decode("latin-1").lower() in self.NOT_MODIFIED_HEADERS
        }
        super().__init__(status_code=304, headers=kept)


def _safe_parts(route_path: str) -> list[str] | None:
    """Split a decoded request path into file-name segments; ``None`` if hostile."""
    parts = []
    for segment in route_path.split("/"):
        if segment in ("", "."):
            continue
        if segment == ".." or "\\" in segment or "\x00" in segment or _DRIVE.match(segment):
            return None
        parts.append(segment)
    return parts


class StaticFiles:
    """An ASGI app serving files from directories and/or installed packages.

    Only GET and HEAD are allowed (others: 405 with ``Allow: GET, HEAD``).
    Responses are :class:`~zephyr.responses.FileResponse`, so ETag /
    Last-Modified validators, conditional requests (304/412) and range
    requests (206/416) work as documented there.

    Args:
        directory: The directory to serve.
        packages: Packages whose data to serve too: ``"pkg"`` serves
            ``pkg/statics``, ``("pkg", "sub")`` serves ``pkg/sub``. Searched
            after ``directory``, in order.
        html: HTML mode: a directory serves its ``index.html`` (``/dir`` is
            redirected to ``/dir/`` first), and a miss serves the top-level
            ``404.html`` with status 404 when there is one.
        check_dir: Raise at construction if ``directory`` doesn't exist.
        follow_symlink: Serve symlinks that point outside the directory.

    Raises:
        RuntimeError: ``directory`` is missing (with ``check_dir``), a package
            has no such data directory, or (on the first request) the
            directory is not a directory.
    """

    def __init__(
        self,
        *,
        directory: PathLike | None = None,
        packages: list[str | tuple[str, str]] | None = None,
        html: bool = False,
        check_dir: bool = True,
        follow_symlink: bool = False,
    ) -> None:
        self.directory = directory
        self.packages = packages
        self.all_directories = self.get_directories(directory, packages)
        self.html = html
        self.config_checked = False
        self.follow_symlink = follow_symlink
        self._roots: dict[PathLike, str] = {}
        if check_dir and directory is not None and not os.path.isdir(directory):
            raise RuntimeError(f"Directory '{directory}' does not exist")

    def get_directories(
        self,
        directory: PathLike | None = None,
        packages: list[str | tuple[str, str]] | None = None,
    ) -> list[PathLike]:
        """Return the directories to search, ``directory`` first, then each package's.

        Raises:
            RuntimeError: A package is not installed or lacks the data directory.
        """
        directories: list[PathLike] = []
        if directory is not None:
            directories.append(directory)
        for package in packages or []:
            name, statics = (package, "statics") if isinstance(package, str) else package
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                raise RuntimeError(f"Package {name!r} could not be found.")
            path = os.path.join(os.path.dirname(spec.origin), statics)
            if not os.path.isdir(path):
                raise RuntimeError(f"Directory '{statics}' in package {name!r} could not be found.")
            directories.append(path)
        return directories

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the file named by the request path (ASGI 3 HTTP)."""
        if scope["type"] == "websocket":
            # Nothing to serve over a WebSocket: refuse the handshake with a normal close.
            await send({"type": "websocket.close", "code": 1000})
            return
        if scope["type"] != "http":
            raise RuntimeError("StaticFiles only handles HTTP and WebSocket requests")
        if not self.config_checked:
            await self.check_config()
            self.config_checked = True
        path = self.get_path(scope)
        response = await self.get_response(path, scope)
        await response(scope, receive, send)

    def get_path(self, scope: Scope) -> str:
        """Return the request path as a relative file path; ``""`` for the root.

        Segments that could name something outside the served directories
        (``..``, ``\\``, NUL, a drive letter) are kept: :meth:`lookup_path`
        refuses them, so :meth:`get_response` answers 404.
        """
        parts = [part for part in get_route_path(scope).split("/") if part not in ("", ".")]
        return os.path.join(*parts) if parts else ""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """Build the response for relative ``path``.

        Raises:
            HTTPException: 405 for methods other than GET/HEAD, 404 when nothing
                matches (or the path leads outside the directories), 401 when
                the file system refuses access.
        """
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(status_code=405, headers={"Allow": "GET, HEAD"})
        try:
            full_path, stat_result = await run_in_threadpool(self.lookup_path, path)
        except PermissionError:
            raise HTTPException(status_code=401) from None
        if stat_result is not None and stat.S_ISREG(stat_result.st_mode):
            return self.file_response(full_path, stat_result, scope)
        if stat_result is not None and stat.S_ISDIR(stat_result.st_mode) and self.html:
            index = os.path.join(path, "index.html")
            full_path, stat_result = await run_in_threadpool(self.lookup_path, index)
            if stat_result is not None and stat.S_ISREG(stat_result.st_mode):
                if not scope["path"].endswith("/"):
                    url = URL(scope=scope)
                    return RedirectResponse(url=url.replace(path=url.path + "/"))
                return self.file_response(full_path, stat_result, scope)
        if self.html:
            full_path, stat_result = await run_in_threadpool(self.lookup_path, "404.html")
            if stat_result is not None and stat.S_ISREG(stat_result.st_mode):
                return FileResponse(full_path, stat_result=stat_result, status_code=404)
        raise HTTPException(status_code=404)

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        """Find relative ``path`` in the served directories (blocking: run it in a thread).

        Returns:
            ``(full_path, stat_result)`` of the first match inside its
            directory, or ``("", None)`` (also for a hostile path, see
            :meth:`get_path`).

        Raises:
            PermissionError: A directory may not be searched (and nothing was found before it).
        """
        if _safe_parts(path.replace(os.sep, "/")) is None:
            return "", None
        denied: PermissionError | None = None
        for directory in self.all_directories:
            root = self._roots.get(directory)
            if root is None:
                # PERF: resolved once per directory, not per request (one lstat per
                # path component saved on every lookup).
                root = self._roots[directory] = os.path.realpath(directory)
            joined = os.path.join(root, path)
            full = os.path.abspath(joined) if self.follow_symlink else os.path.realpath(joined)
            if full != root and not full.startswith(root.rstrip(os.sep) + os.sep):
                continue
            try:
                return full, os.stat(full)
            except PermissionError as exc:
                denied = exc  # another directory may still have the file
            except OSError:  # missing, a file where a directory was expected, ...
                continue
        if denied is not None:
            raise denied
        return "", None

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        """Return the ``FileResponse`` for a found file (conditional and range aware)."""
        return FileResponse(full_path, status_code=status_code, stat_result=stat_result)

    async def check_config(self) -> None:
        """Check once that the directory exists and is a directory.

        Raises:
            RuntimeError: It doesn't exist or isn't a directory.
        """
        if self.directory is None:
            return
        try:
            stat_result = await run_in_threadpool(os.stat, self.directory)
        except FileNotFoundError:
            raise RuntimeError(
                f"StaticFiles directory '{self.directory}' does not exist."
            ) from None
        if not (stat.S_ISDIR(stat_result.st_mode) or stat.S_ISLNK(stat_result.st_mode)):
            raise RuntimeError(f"StaticFiles path '{self.directory}' is not a directory.")
