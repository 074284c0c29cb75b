"""Streaming parsers for HTML form bodies, on top of python-multipart.

``FormParser`` handles ``application/x-www-form-urlencoded``; ``MultiPartParser``
handles ``multipart/form-data`` (RFC 7578), spooling file parts to disk past
1 MiB. Both consume the request body as an async stream of chunks and never
hold more than one chunk of unparsed input.
"""

from __future__ import annotations

import asyncio
import codecs
import enum
import importlib
import re
import time
import warnings
from collections.abc import AsyncIterator, Callable
from tempfile import SpooledTemporaryFile
from typing import Any
from urllib.parse import unquote, unquote_plus

from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.datastructures import FormData, Headers, UploadFile, new_spooled_file


def _load_multipart() -> Any:
    # python-multipart >= 0.0.13 ships the `python_multipart` import name;
    # older releases only `multipart`.
    for name in ("python_multipart.multipart", "multipart.multipart"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    return None


multipart: Any = _load_multipart()
"""The python-multipart parser module, or ``None`` when it is not installed."""

__all__ = [
    "FormMessage",
    "FormParser",
    "MultiPartException",
    "MultiPartParser",
    "parse_content_disposition",
    "parse_options_header",
]

MULTIPART_MISSING = (
    "Form parsing requires python-multipart. Install it with: pip install 'zephyr[standard]'"
)


class _DeprecatedEnumType(enum.EnumType):
    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        warnings.warn(
            f"`{cls.__name__}` is deprecated and will be removed in a future release.",
            ZephyrDeprecationWarning,
            stacklevel=2,
        )
        return super().__call__(*args, **kwargs)


class FormMessage(enum.Enum, metaclass=_DeprecatedEnumType):
    """The events of a urlencoded-form parse. Deprecated: the parsers no longer expose them.

    Kept so code that names the members still imports; looking a member up by
    value (``FormMessage(1)``) warns.
    """

    FIELD_START = 1
    FIELD_NAME = 2
    FIELD_DATA = 3
    FIELD_END = 4
    END = 5


MULTIPART_NOT_INSTALLED = (
    "Form and File parameters are parsed with python-multipart, which is not installed. "
    'Install it with: pip install "python-multipart>=0.0.18"'
)
MULTIPART_WRONG_PACKAGE = (
    'Form and File parameters are parsed with python-multipart, but the "multipart" module '
    "found is another package's. Replace it with: pip uninstall multipart && "
    'pip install "python-multipart>=0.0.18"'
)


def check_multipart_install() -> None:
    """Check that python-multipart can parse forms; called as a route with form fields is built.

    python-multipart 0.0.13 and later are importable as ``python_multipart``;
    older releases only as ``multipart``, a name another PyPI package also
    uses. Looked up at each call (not once at import), so the error names
    the environment the app is built in.

    Raises:
        RuntimeError: :data:`MULTIPART_NOT_INSTALLED`, or
            :data:`MULTIPART_WRONG_PACKAGE` when only the other ``multipart``
            package is there.
    """
    try:
        current = importlib.import_module("python_multipart")
    except ImportError:
        current = None
    if current is not None and _version(getattr(current, "__version__", "")) > (0, 0, 12):
        return
    try:
        with warnings.catch_warnings():
            # python-multipart's own "multipart" alias warns that it is one.
            warnings.simplefilter("ignore")
            legacy = importlib.import_module("multipart")
    except ImportError:
        raise RuntimeError(MULTIPART_NOT_INSTALLED) from None
    if not getattr(legacy, "__version__", None):
        raise RuntimeError(MULTIPART_NOT_INSTALLED)
    try:
        parser = importlib.import_module("multipart.multipart")
    except ImportError:
        parser = None
    if getattr(parser, "parse_options_header", None) is None:
        raise RuntimeError(MULTIPART_WRONG_PACKAGE)


def _version(text: str) -> tuple[int, ...]:
    """``"0.0.20"`` -> ``(0, 0, 20)``; a part that is not a number ends it."""
    numbers: list[int] = []
    for part in text.split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def require_multipart() -> None:
    """Raise a clear ImportError when python-multipart is not installed.

    Raises:
        ImportError: python-multipart is missing.
    """
    if multipart is None:
        raise ImportError(MULTIPART_MISSING)


def parse_options_header(value: str | bytes | None) -> tuple[bytes, dict[bytes, bytes]]:
    """Split a header like ``Content-Type`` into its value and ``{param: value}``.

    Args:
        value: e.g. ``'multipart/form-data; boundary="x"'``.

    Returns:
        ``(b"multipart/form-data", {b"boundary": b"x"})`` (value lowercased).

    Raises:
        ImportError: python-multipart is missing.
    """
    require_multipart()
    result: tuple[bytes, dict[bytes, bytes]] = multipart.parse_options_header(value)
    return result


class MultiPartException(Exception):
    """A form body broke a limit or could not be parsed.

    Args:
        message: What went wrong, naming the limit when one was exceeded.
        status_code: The HTTP status the app answers with: 400 for a
            malformed body or too many parts, 413 (Content Too Large,
            RFC 9110 section 15.5.14) for a part or part header over its size
            limit. Default 400.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


# Fairness: python-multipart runs every callback of one ``write()`` in one
# synchronous step, so a 64 KiB chunk of tiny parts (about 1,000 of them) held
# the event loop for tens of milliseconds and stalled every other client. A
# chunk is fed in slices and the parser yields to the loop once it has run for
# _STEP_SECONDS; a chunk of file data or a small form never yields.
_SLICE_BYTES = 4096
_STEP_SECONDS = 0.002


async def _write_fairly(parser: Any, chunk: bytes) -> None:
    """Feed ``chunk`` to a python-multipart parser without holding the loop long.

    Args:
        parser: A python-multipart ``MultipartParser`` or ``QuerystringParser``.
        chunk: Body bytes, any size.

    Raises:
        MultiPartException: From the parser's callbacks (a limit or a malformed part).
        multipart.FormParserError: From the parser itself.
    """
    if len(chunk) <= _SLICE_BYTES:
        parser.write(chunk)
        return
    started = time.perf_counter()
    for offset in range(0, len(chunk), _SLICE_BYTES):
        parser.write(chunk[offset : offset + _SLICE_BYTES])
        if time.perf_counter() - started > _STEP_SECONDS:
            await asyncio.sleep(0)
            started = time.perf_counter()


def _kib(size: int) -> int:
    return size // 1024


def too_many_fields(limit: int | float) -> str:
    """The 400 detail for a form over ``max_fields`` (Starlette's and FastAPI's wording)."""
    return f"Too many fields. Maximum number of fields is {limit}."


class FormParser:
    """Parse an ``application/x-www-form-urlencoded`` body.

    Args:
        headers: The request headers.
        stream: Async iterator of body chunks (bytes).
        max_fields: Most fields accepted. Default: unlimited. Over it: 400.
        max_part_size: Most bytes of one field's name and value together
            (before unescaping).
            Default 1 MiB, as Starlette. Over it: 400.
    """

    def __init__(
        self,
        headers: Headers,
        stream: AsyncIterator[bytes],
        *,
        max_fields: int | float = float("inf"),
        max_part_size: int = 1024 * 1024,
    ) -> None:
        require_multipart()
        self.headers = headers
        self.stream = stream
        self.max_fields = max_fields
        self.max_part_size = max_part_size
        self._fields: list[tuple[str, str | UploadFile]] = []
        self._name = bytearray()
        self._value = bytearray()

    def _on_field_start(self) -> None:
        if len(self._fields) >= self.max_fields:
            raise MultiPartException(too_many_fields(self.max_fields))
        self._name.clear()
        self._value.clear()

    def _on_field_name(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]
        self._check_size()

    def _on_field_data(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        self._check_size()

    def _check_size(self) -> None:
        # Name and value bytes (still escaped) count together, as in Starlette.
        if len(self._name) + len(self._value) > self.max_part_size:
            size = _kib(self.max_part_size)
            raise MultiPartException(f"Field exceeded maximum size of {size}KB.")

    def _on_field_end(self) -> None:
        # Percent-escapes decode as UTF-8; raw non-ASCII bytes as latin-1 (as browsers never send).
        name = unquote_plus(self._name.decode("latin-1"))
        value = unquote_plus(self._value.decode("latin-1"))
        self._fields.append((name, value))

    async def parse(self) -> FormData:
        """Consume the stream and return the fields.

        Returns:
            ``FormData`` of ``str`` values, in body order.

        Raises:
            MultiPartException: The body is malformed.
        """
        callbacks: dict[str, Callable[..., None]] = {
            "on_field_start": self._on_field_start,
            "on_field_name": self._on_field_name,
            "on_field_data": self._on_field_data,
            "on_field_end": self._on_field_end,
        }
        parser = multipart.QuerystringParser(callbacks)
        try:
            async for chunk in self.stream:
                if chunk:
                    await _write_fairly(parser, chunk)
            parser.finalize()
        except multipart.FormParserError as exc:
            raise MultiPartException(f"Malformed form body: {exc}") from exc
        return FormData(self._fields)


class MultiPartParser:
    """Parse a ``multipart/form-data`` body (RFC 7578) with limits.

    File parts (those whose ``Content-Disposition`` has a ``filename``) become
    ``UploadFile`` objects backed by a ``SpooledTemporaryFile``: in memory up
    to ``spool_max_size`` bytes, then on disk, written from the thread pool.
    The client's filename is kept exactly as sent (``filename*`` of RFC 6266
    preferred when present) and never used to build a path.

    Args:
        headers: The request headers (``Content-Type`` must carry a ``boundary``).
        stream: Async iterator of body chunks (bytes).
        max_files: Most file parts accepted. Default 1000. Over it: 400.
        max_fields: Most non-file parts accepted. Default 1000. Over it: 400.
        max_part_size: Most bytes in one non-file part (held in memory).
            Default 1 MiB. Over it: 400. File parts are not limited here.
        max_part_header_size: Most bytes of header names and values in one
            part. Default 16 KiB. Over it: 413.
        max_part_headers: Most header fields in one part. Default 8 (a form
            part needs two or three), as Starlette. Over it: 400.
    """

    spool_max_size = 1024 * 1024
    """Bytes an upload keeps in memory before rolling over to a temporary file."""

    def __init__(
        self,
        headers: Headers,
        stream: AsyncIterator[bytes],
        *,
        max_files: int | float = 1000,
        max_fields: int | float = 1000,
        max_part_size: int = 1024 * 1024,
        max_part_header_size: int = 16 * 1024,
        max_part_headers: int = 8,
    ) -> None:
        require_multipart()
        self.headers = headers
        self.stream = stream
        self.max_files = max_files
        self.max_fields = max_fields
        self.max_part_size = max_part_size
        self.max_part_header_size = max_part_header_size
        self.max_part_headers = max_part_headers
        self._charset = "utf-8"
        self._items: list[tuple[str, str | UploadFile]] = []
        self._files: list[UploadFile] = []
        self._pending: list[tuple[UploadFile, bytes]] = []
        self._field_count = 0
        self._ended = False
        self._reset_part()

    def _reset_part(self) -> None:
        self._part_headers: list[tuple[bytes, bytes]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._header_bytes = 0
        self._part_name = ""
        self._part_data = bytearray()
        self._part_file: UploadFile | None = None

    # python-multipart callbacks are synchronous, so file writes are queued in
    # self._pending and flushed (awaited) after each chunk.

    def _on_part_begin(self) -> None:
        self._reset_part()

    def _header_limit_error(self) -> MultiPartException:
        return MultiPartException(
            "Part headers are too large: the limit is "
            f"max_part_header_size={self.max_part_header_size} bytes.",
            status_code=413,
        )

    def _count_header_bytes(self, size: int) -> None:
        self._header_bytes += size
        if self._header_bytes > self.max_part_header_size:
            raise self._header_limit_error()

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header_bytes(end - start)
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._count_header_bytes(4)  # ": " and CRLF: many tiny headers add up too
        if len(self._part_headers) >= self.max_part_headers:
            raise MultiPartException("Invalid multipart data.")
        self._part_headers.append((bytes(self._header_name).lower(), bytes(self._header_value)))
        self._header_name.clear()
        self._header_value.clear()

    def _on_headers_finished(self) -> None:
        disposition = next((v for k, v in self._part_headers if k == b"content-disposition"), None)
        if disposition is None:
            raise MultiPartException('Missing "Content-Disposition" header in a form part.')
        kind, options = parse_content_disposition(disposition, self._charset)
        if kind != "form-data":
            raise MultiPartException(
                f'A form part\'s Content-Disposition is "{kind}", not "form-data".'
            )
        if "name" not in options:
            raise MultiPartException(
                'The Content-Disposition header field "name" must be provided.'
            )
        self._part_name = options["name"]
        filename = options.get("filename*", options.get("filename"))
        if filename is None:
            self._field_count += 1
            if self._field_count > self.max_fields:
                raise MultiPartException(too_many_fields(self.max_fields))
            return
        if len(self._files) >= self.max_files:
            limit = self.max_files
            raise MultiPartException(f"Too many files. Maximum number of files is {limit}.")
        upload = UploadFile(
            # Looked up here, at call time: tests (Starlette's too) substitute
            # ``zephyr.formparsers.SpooledTemporaryFile`` to simulate a failing disk.
            file=new_spooled_file(self.spool_max_size, SpooledTemporaryFile),
            size=0,
            filename=filename,
            headers=Headers(raw=self._part_headers),
        )
        self._files.append(upload)
        self._part_file = upload

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part_file is not None:
            self._pending.append((self._part_file, data[start:end]))
            return
        self._part_data += data[start:end]
        if len(self._part_data) > self.max_part_size:
            raise MultiPartException(f"Part exceeded maximum size of {_kib(self.max_part_size)}KB.")

    def _on_part_end(self) -> None:
        if self._part_file is not None:
            self._items.append((self._part_name, self._part_file))
        else:
            self._items.append((self._part_name, _decode_text(self._part_data, self._charset)))

    def _on_end(self) -> None:
        self._ended = True

    async def _flush(self) -> None:
        pending, self._pending = self._pending, []
        for upload, data in pending:
            await upload.write(data)

    def _callbacks(self) -> dict[str, Callable[..., None]]:
        return {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_end": self._on_end,
        }

    def _make_parser(self, boundary: bytes) -> Any:
        try:
            # Newer python-multipart has its own, smaller per-line and count
            # limits; widen them so max_part_header_size is the one that trips.
            return multipart.MultipartParser(
                boundary,
                self._callbacks(),
                max_header_size=self.max_part_header_size,
                max_header_count=self.max_part_header_size,
            )
        except TypeError:
            return multipart.MultipartParser(boundary, self._callbacks())

    def _boundary(self) -> bytes:
        _, params = parse_options_header(self.headers.get("content-type", ""))
        charset = params.get(b"charset")
        if charset is not None:
            self._charset = _known_charset(charset.decode("latin-1"))
        boundary = params.get(b"boundary")
        if not boundary:
            raise MultiPartException("Missing boundary in multipart.")
        if not _BOUNDARY.fullmatch(boundary):
            # 1 to 70 characters from the RFC 2046 set; Starlette's text for it.
            raise MultiPartException("Invalid multipart data.")
        return boundary

    async def parse(self) -> FormData:
        """Consume the stream and return fields and uploads.

        Returns:
            ``FormData`` with ``str`` values and ``UploadFile`` values (rewound to 0).

        Raises:
            MultiPartException: Missing or invalid boundary, malformed or
                truncated body (400), or a limit exceeded (the message names
                ``max_files``, ``max_fields``, ``max_part_size`` or
                ``max_part_header_size``; status per the limit). Uploads made
                so far are closed first.
        """
        parser = self._make_parser(self._boundary())
        received = False
        try:
            async for chunk in self.stream:
                if chunk:
                    received = True
                    await _write_fairly(parser, chunk)
                    await self._flush()
            parser.finalize()
            await self._flush()
            # No bytes at all is an empty form (a form with nothing filled in),
            # not a truncated one.
            if received and not self._ended:
                raise MultiPartException(
                    "Malformed multipart body: truncated (no closing boundary)."
                )
        except MultiPartException:
            await self._close_files()
            raise
        except multipart.FormParserError as exc:
            await self._close_files()
            if str(exc).startswith("Maximum header"):  # python-multipart's own header limits
                raise self._header_limit_error() from exc
            raise MultiPartException(f"Malformed multipart body: {exc}") from exc
        except BaseException:
            await self._close_files()  # e.g. ClientDisconnect: no temp file left behind
            raise
        for upload in self._files:
            await upload.seek(0)
        return FormData(self._items)

    async def _close_files(self) -> None:
        for upload in self._files:
            await upload.close()


# RFC 2046 section 5.1.1: bchars, 1..70 long, not ending in a space.
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_PARAM = re.compile(r';\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_QUOTED_PAIR = re.compile(r"\\(.)")


def _known_charset(name: str) -> str:
    """The codec name for ``name``, looked up once per body; UTF-8 when unknown (as Starlette)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"  # and bytes that are not UTF-8 are read as latin-1 (_decode_text)


def _decode_text(raw: bytes | bytearray, charset: str) -> str:
    """Decode a part's text; bytes not in ``charset`` are read as latin-1, as Starlette does.

    Latin-1 maps every byte to one character, so nothing is lost or replaced
    and the field keeps FastAPI's value (``b"\\xff"`` is ``"ÿ"``, not U+FFFD).
    """
    try:
        return raw.decode(charset)
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_content_disposition(value: bytes, charset: str = "utf-8") -> tuple[str, dict[str, str]]:
    """Parse a part's ``Content-Disposition`` header (RFC 7578 section 4.2, RFC 6266).

    Unlike generic option parsers, values are kept exactly as sent: a
    ``filename`` of ``C:\\\\dir\\\\a.txt`` or ``../a.txt`` stays that string.
    ``filename*=UTF-8''...`` (RFC 8187) is percent-decoded.

    Args:
        value: The raw header value.
        charset: Charset of the raw bytes. Default UTF-8; a value that is not
            in it is read as latin-1 (see :func:`_decode_text`).

    Returns:
        ``(disposition type lowercased, {parameter name lowercased: value})``.
    """
    text = _decode_text(value, charset)
    kind, _, rest = text.partition(";")
    options: dict[str, str] = {}
    for match in _PARAM.finditer(";" + rest):
        name, raw = match.group(1).lower(), match.group(2).strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            raw = _QUOTED_PAIR.sub(r"\1", raw[1:-1])
        if name.endswith("*"):
            raw = _decode_ext_value(raw)
        options.setdefault(name, raw)
    return kind.strip().lower(), options


def _decode_ext_value(value: str) -> str:
    # RFC 8187: charset'language'percent-encoded-bytes
    charset, sep, rest = value.partition("'")
    _, sep2, encoded = rest.partition("'")
    if not (sep and sep2):
        return value
    try:
        return unquote(encoded, encoding=charset or "utf-8", errors="replace")
    except LookupError:
        return unquote(encoded, errors="replace")
