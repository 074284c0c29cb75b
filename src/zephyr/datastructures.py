"""Request/response data structures: URLs, headers, query strings, forms and uploads.

These mirror Starlette's public ``datastructures`` API so applications port by
changing imports only. ``Headers`` and ``MutableHeaders`` live in
:mod:`zephyr._headers` and are importable from here.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import (
    Callable,
    ItemsView,
    Iterable,
    Iterator,
    KeysView,
    Mapping,
    Sequence,
    ValuesView,
)
from shlex import shlex
from typing import Any, BinaryIO, NamedTuple, TypeVar, cast
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

# Public names of this module (the ``as`` form marks them re-exported).
from zephyr._headers import Headers as Headers
from zephyr._headers import MutableHeaders as MutableHeaders
from zephyr._hosts import bracket_ipv6, split_host
from zephyr._querystring import parse_query
from zephyr.concurrency import run_in_threadpool
from zephyr.types import Scope

_KT = TypeVar("_KT")
_VT = TypeVar("_VT")
_CovariantValueType = TypeVar("_CovariantValueType", covariant=True)


class Address(NamedTuple):
    """A network peer: ``host`` (str) and ``port`` (int)."""

    host: str
    port: int


class URL:
    """An immutable URL with component accessors.

    Args:
        url: The URL string (default ``""``). Mutually exclusive with the others.
        scope: An ASGI HTTP/WebSocket scope to build the URL from (scheme, Host
            header or ``server``, ``path``, ``query_string``).
        **components: ``urllib.parse.SplitResult`` fields (``scheme``, ``netloc``,
            ``path``, ``query``, ``fragment``) to build the URL from.
    """

    def __init__(self, url: str = "", scope: Scope | None = None, **components: Any) -> None:
        if scope is not None:
            assert not url, 'Cannot set both "url" and "scope".'
            assert not components, 'Cannot set both "scope" and "**components".'
            url = _url_from_scope(scope)
        elif components:
            assert not url, 'Cannot set both "url" and "**components".'
            url = URL("").replace(**components).components.geturl()
        self._url = url
        self._components: SplitResult | None = None

    @property
    def components(self) -> SplitResult:
        """The parsed ``SplitResult`` (computed once, lazily)."""
        # PERF: parsing is deferred; many URLs are only ever stringified.
        if self._components is None:
            self._components = urlsplit(self._url)
        return self._components

    @property
    def scheme(self) -> str:
        return self.components.scheme

    @property
    def netloc(self) -> str:
        return self.components.netloc

    @property
    def path(self) -> str:
        return self.components.path

    @property
    def query(self) -> str:
        return self.components.query

    @property
    def fragment(self) -> str:
        return self.components.fragment

    @property
    def username(self) -> str | None:
        return self.components.username

    @property
    def password(self) -> str | None:
        return self.components.password

    @property
    def hostname(self) -> str | None:
        return self.components.hostname

    @property
    def port(self) -> int | None:
        return self.components.port

    @property
    def is_secure(self) -> bool:
        """True for ``https`` and ``wss`` URLs."""
        return self.scheme in ("https", "wss")

    def replace(self, **kwargs: Any) -> URL:
        """Return a copy with components replaced.

        Args:
            **kwargs: ``SplitResult`` fields, plus ``username``, ``password``,
                ``hostname`` and ``port`` which rebuild the netloc.

        Returns:
            A new ``URL``.
        """
        if {"username", "password", "hostname", "port"} & kwargs.keys():
            hostname = kwargs.pop("hostname", None)
            port = kwargs.pop("port", self.port)
            username = kwargs.pop("username", self.username)
            password = kwargs.pop("password", self.password)
            if hostname is None:
                netloc = self.netloc
                _, _, hostname = netloc.rpartition("@")
                if hostname and hostname[-1] != "]":
                    hostname = hostname.rsplit(":", 1)[0]
            netloc = bracket_ipv6(hostname)  # "fe::2" (as .hostname gives it) -> "[fe::2]"
            if port is not None:
                netloc += f":{port}"
            if username is not None:
                userpass = username
                if password is not None:
                    userpass += f":{password}"
                netloc = f"{userpass}@{netloc}"
            kwargs["netloc"] = netloc
        return self.__class__(self.components._replace(**kwargs).geturl())

    def include_query_params(self, **kwargs: Any) -> URL:
        """Return a copy with ``kwargs`` added to (or overriding) the query string."""
        params = MultiDict(parse_qsl(self.query, keep_blank_values=True))
        params.update({str(key): str(value) for key, value in kwargs.items()})
        return self.replace(query=urlencode(params.multi_items()))

    def replace_query_params(self, **kwargs: Any) -> URL:
        """Return a copy whose query string is exactly ``kwargs`` (lists repeat keys)."""
        return self.replace(query=urlencode(list(kwargs.items()), doseq=True))

    def remove_query_params(self, keys: str | Sequence[str]) -> URL:
        """Return a copy without the given query keys (one name or a sequence)."""
        if isinstance(keys, str):
            keys = [keys]
        params = MultiDict(parse_qsl(self.query, keep_blank_values=True))
        for key in keys:
            params.pop(key, None)
        return self.replace(query=urlencode(params.multi_items()))

    def __eq__(self, other: Any) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self._url)

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        url = str(self)
        if self.password:
            url = str(self.replace(password="********"))
        return f"{self.__class__.__name__}({url!r})"


def _url_from_scope(scope: Scope) -> str:
    scheme = scope.get("scheme", "http")
    server = scope.get("server")
    # "?" and "#" in a decoded path are path characters, not delimiters.
    path = scope["path"].replace("?", "%3F").replace("#", "%23")
    query_string = scope.get("query_string", b"")
    netloc = _netloc_from_host_header(scope)
    if netloc is None and server is not None:
        host, port = server
        host = bracket_ipv6(host)
        default_port = _DEFAULT_PORTS.get(scheme)
        netloc = host if port == default_port or port is None else f"{host}:{port}"
    if netloc:
        if not path.startswith("/"):
            path = "/" + path  # a path must not run into the authority
        url = f"{scheme}://{netloc}{path}"
    else:
        # No authority: a path read as one ("//evil.example", "/\\evil.example" in
        # browsers) must stay a path.
        if path.startswith("//"):
            path = "/%2F" + path[2:]
        url = path.replace("\\", "%5C")
    if query_string:
        url += "?" + query_string.decode("latin-1")
    return url


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _netloc_from_host_header(scope: Scope) -> str | None:
    """The ``Host`` header when it is a valid ``host[:port]``, else ``None`` (use ``server``)."""
    for key, value in scope.get("headers", ()):
        if key == b"host":
            host: str = value.decode("latin-1")
            split = split_host(host)
            if split is None or (split[1] and int(split[1]) > 65535):
                return None
            return host
    return None


class URLPath(str):
    """A path string produced by ``url_path_for``, with the protocol and host it targets.

    Args:
        path: The path (e.g. ``"/users/1"``).
        protocol: ``"http"``, ``"websocket"`` or ``""`` (default, any).
        host: An explicit host, or ``""`` (default) to take it from the base URL.
    """

    protocol: str
    host: str

    def __new__(cls, path: str, protocol: str = "", host: str = "") -> URLPath:
        assert protocol in ("http", "websocket", "")
        return str.__new__(cls, path)

    def __init__(self, path: str, protocol: str = "", host: str = "") -> None:
        self.protocol = protocol
        self.host = host

    def make_absolute_url(self, base_url: str | URL) -> URL:
        """Join this path onto ``base_url``, switching to ws/wss for WebSocket paths."""
        if isinstance(base_url, str):
            base_url = URL(base_url)
        if self.protocol:
            scheme = {
                "http": {True: "https", False: "http"},
                "websocket": {True: "wss", False: "ws"},
            }[self.protocol][base_url.is_secure]
        else:
            scheme = base_url.scheme
        netloc = self.host or base_url.netloc
        path = base_url.path.rstrip("/") + str(self)
        return URL(scheme=scheme, netloc=netloc, path=path)


class Secret:
    """A string value that is hidden from ``repr`` (so it does not leak into logs)."""

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}('**********')"

    def __str__(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)


class CommaSeparatedStrings(Sequence[str]):
    """A sequence parsed from ``"a, b, c"`` (shell-style quoting allowed) or given as a list."""

    def __init__(self, value: str | Sequence[str]) -> None:
        if isinstance(value, str):
            splitter = shlex(value, posix=True)
            splitter.whitespace = ","
            splitter.whitespace_split = True
            self._items = [item.strip() for item in splitter]
        else:
            self._items = list(value)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._items!r})"

    def __str__(self) -> str:
        return ", ".join(repr(item) for item in self)


def _item_key(item: tuple[Any, Any]) -> str:
    # Items compare by name only: a stable sort keeps each name's values in order.
    return str(item[0])


class ImmutableMultiDict(Mapping[_KT, _CovariantValueType]):
    """A read-only mapping that keeps every value of repeated keys.

    ``d[key]`` gives the last value; ``getlist(key)`` all of them in order.

    Args:
        *args: At most one of: another multidict, a mapping, or a list of pairs.
        **kwargs: More pairs.
    """

    _dict: dict[_KT, _CovariantValueType]

    def __init__(
        self,
        *args: ImmutableMultiDict[_KT, _CovariantValueType]
        | Mapping[_KT, _CovariantValueType]
        | Iterable[tuple[_KT, _CovariantValueType]],
        **kwargs: Any,
    ) -> None:
        assert len(args) < 2, "Too many arguments."
        value: Any = args[0] if args else []
        if kwargs:
            value = (
                ImmutableMultiDict(value).multi_items() + ImmutableMultiDict(kwargs).multi_items()
            )
        if not value:
            items: list[tuple[Any, Any]] = []
        elif hasattr(value, "multi_items"):
            items = list(value.multi_items())
        elif isinstance(value, Mapping):
            items = list(value.items())
        else:
            items = list(value)
        self._dict = dict(items)
        self._list = items

    def getlist(self, key: Any) -> list[_CovariantValueType]:
        """Every value for ``key``, in order; ``[]`` if absent."""
        return [item_value for item_key, item_value in self._list if item_key == key]

    def keys(self) -> KeysView[_KT]:
        return self._dict.keys()

    def values(self) -> ValuesView[_CovariantValueType]:
        return self._dict.values()

    def items(self) -> ItemsView[_KT, _CovariantValueType]:
        return self._dict.items()

    def multi_items(self) -> list[tuple[_KT, _CovariantValueType]]:
        """Every ``(key, value)`` pair, in order, repeats included."""
        return list(self._list)

    def __getitem__(self, key: _KT) -> _CovariantValueType:
        return self._dict[key]

    def get(self, key: Any, default: Any = None) -> Any:
        # PERF: Mapping.get goes through __getitem__ and, for an absent key,
        # a raised and caught KeyError (~0.5 µs per absent optional parameter).
        return self._dict.get(key, default)

    def __contains__(self, key: Any) -> bool:
        return key in self._dict

    def __iter__(self) -> Iterator[_KT]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._dict)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, self.__class__):
            return False
        # Names in any order; each name's values in theirs (and values need
        # no ordering of their own: UploadFile has none).
        return sorted(self._list, key=_item_key) == sorted(other._list, key=_item_key)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.multi_items()!r})"


class MultiDict(ImmutableMultiDict[Any, Any]):
    """A mutable ``ImmutableMultiDict``; ``d[key] = v`` replaces every value of ``key``."""

    def __setitem__(self, key: Any, value: Any) -> None:
        self.setlist(key, [value])

    def __delitem__(self, key: Any) -> None:
        self._list = [(k, v) for k, v in self._list if k != key]
        del self._dict[key]

    def pop(self, key: Any, default: Any = None) -> Any:
        self._list = [(k, v) for k, v in self._list if k != key]
        return self._dict.pop(key, default)

    def popitem(self) -> tuple[Any, Any]:
        key, value = self._dict.popitem()
        self._list = [(k, v) for k, v in self._list if k != key]
        return key, value

    def poplist(self, key: Any) -> list[Any]:
        values = [v for k, v in self._list if k == key]
        self.pop(key)
        return values

    def clear(self) -> None:
        self._dict.clear()
        self._list.clear()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self._dict[key] = default
            self._list.append((key, default))
        return self[key]

    def setlist(self, key: Any, values: list[Any]) -> None:
        """Replace every value of ``key`` with ``values`` (empty list removes the key)."""
        if not values:
            self.pop(key, None)
            return
        existing = [(k, v) for k, v in self._list if k != key]
        self._list = existing + [(key, value) for value in values]
        self._dict[key] = values[-1]

    def append(self, key: Any, value: Any) -> None:
        """Add one more value for ``key``."""
        self._list.append((key, value))
        self._dict[key] = value

    def update(
        self,
        *args: MultiDict | Mapping[Any, Any] | list[tuple[Any, Any]],
        **kwargs: Any,
    ) -> None:
        """Replace the keys present in the argument with their (multi-)values."""
        value = MultiDict(*args, **kwargs)
        existing = [(k, v) for k, v in self._list if k not in value]
        self._list = existing + value.multi_items()
        self._dict.update(value)


class QueryParams(ImmutableMultiDict[str, str]):
    """Parsed URL query parameters.

    Args:
        *args: A query string (``str`` or ``bytes``, parsed with
            ``urllib.parse.parse_qsl(keep_blank_values=True)``), a mapping, a list
            of pairs or another multidict.
        **kwargs: More pairs.
    """

    def __init__(
        self,
        *args: ImmutableMultiDict[Any, Any]
        | Mapping[Any, Any]
        | list[tuple[Any, Any]]
        | str
        | bytes,
        **kwargs: Any,
    ) -> None:
        assert len(args) < 2, "Too many arguments."
        value = args[0] if args else []
        if isinstance(value, str | bytes) and not kwargs:
            # PERF: the per-request path (a raw query string) skips the generic
            # multidict constructor and the str() re-conversion below.
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            items = parse_query(text) if text else []
            self._list = items
            self._dict = dict(items)
            return
        if isinstance(value, str | bytes):
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            super().__init__(parse_qsl(text, keep_blank_values=True), **kwargs)
        else:
            super().__init__(value, **kwargs)
        self._list = [(str(k), str(v)) for k, v in self._list]
        self._dict = {str(k): str(v) for k, v in self._dict.items()}

    @classmethod
    def from_query_string(cls, raw: bytes | str) -> QueryParams:
        """``QueryParams(raw)`` for an ASGI ``query_string``, without the generic checks."""
        # PERF: the per-request constructor: no argument sniffing (~0.3 µs).
        params = cls.__new__(cls)
        text = raw if type(raw) is str else raw.decode("latin-1")  # type: ignore[union-attr]
        items = parse_query(text) if text else []
        params._list = items
        params._dict = dict(items)
        return params

    def __str__(self) -> str:
        return urlencode(self._list)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({str(self)!r})"


class UploadFile:
    """An uploaded file: a (spooled) binary file plus its part metadata.

    Blocking file operations run in the thread pool once the spooled file has
    rolled over to disk; in-memory files are used directly.

    Args:
        file: The binary file object holding the content.
        size: Size in bytes so far, or ``None`` if unknown.
        filename: The client-supplied filename, or ``None``.
        headers: The part headers (default: empty).
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Pydantic hook: accept only ``UploadFile`` instances, with FastAPI's error text."""
        from pydantic_core import core_schema  # lazily: the toolkit imports without Pydantic

        return core_schema.with_info_plain_validator_function(cls._validate)

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: Any, handler: Any) -> dict[str, Any]:
        """Pydantic hook: a file is binary content (OpenAPI 3.1)."""
        return {"type": "string", "contentMediaType": "application/octet-stream"}

    @classmethod
    def _validate(cls, value: Any, info: Any) -> UploadFile:
        # The (value, info) pair is the validator signature FastAPI's ``UploadFile``
        # exposes; code that calls it directly passes both.
        if not isinstance(value, cls):
            raise ValueError(f"Expected UploadFile, received: {type(value)}")
        return value

    def __init__(
        self,
        file: BinaryIO,
        *,
        size: int | None = None,
        filename: str | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.filename = filename
        self.file = file
        self.size = size
        self.headers = headers or Headers()

    @property
    def content_type(self) -> str | None:
        """The part's ``Content-Type`` header, or ``None``."""
        return self.headers.get("content-type", None)

    @property
    def _in_memory(self) -> bool:
        # PERF: small uploads stay in a BytesIO; skipping the thread hop saves ~50 µs per call.
        rolled_to_disk = getattr(self.file, "_rolled", True)
        return not rolled_to_disk

    def _stays_in_memory(self, extra: int) -> bool:
        # A write that makes the spool roll over copies it all to disk: do that off the loop.
        if not self._in_memory:
            return False
        max_size: int = getattr(self.file, "_max_size", 0)
        return not max_size or self.file.tell() + extra <= max_size

    async def write(self, data: bytes) -> None:
        """Append ``data`` to the file and grow ``size`` by ``len(data)`` bytes.

        Blocking disk writes (including the one that rolls an in-memory spool
        over to disk) run in the thread pool.
        """
        if self.size is not None:
            self.size += len(data)
        if self._stays_in_memory(len(data)):
            self.file.write(data)
        else:
            await run_in_threadpool(self.file.write, data)

    async def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (default ``-1``: all the rest)."""
        if self._in_memory:
            return self.file.read(size)
        return await run_in_threadpool(self.file.read, size)

    async def seek(self, offset: int) -> None:
        """Move to byte ``offset`` from the start."""
        if self._in_memory:
            self.file.seek(offset)
        else:
            await run_in_threadpool(self.file.seek, offset)

    async def close(self) -> None:
        """Close the underlying file."""
        if self._in_memory:
            self.file.close()
        else:
            await run_in_threadpool(self.file.close)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(filename={self.filename!r}, "
            f"size={self.size!r}, headers={self.headers!r})"
        )


def new_spooled_file(
    max_size: int = 1024 * 1024, factory: Callable[..., Any] = tempfile.SpooledTemporaryFile
) -> BinaryIO:
    """Create the temporary file that backs an upload (in memory up to ``max_size`` bytes).

    Args:
        max_size: Bytes kept in memory before the file rolls over to disk.
        factory: The ``SpooledTemporaryFile`` class (or a stand-in) to create it with.

    Returns:
        The new, empty file.
    """
    return cast(BinaryIO, factory(max_size=max_size))


class FormData(ImmutableMultiDict[str, "UploadFile | str"]):
    """Parsed form fields: ``str`` values for fields, ``UploadFile`` for files."""

    def __init__(
        self,
        *args: FormData | Mapping[str, str | UploadFile] | list[tuple[str, str | UploadFile]],
        **kwargs: str | UploadFile,
    ) -> None:
        super().__init__(*args, **kwargs)

    async def close(self) -> None:
        """Close every uploaded file in the form."""
        uploads = [value for _, value in self.multi_items() if isinstance(value, UploadFile)]
        if uploads:
            await asyncio.gather(*(upload.close() for upload in uploads))


class State:
    """An object whose attributes are stored in a dict (``request.state``, ``app.state``).

    Args:
        state: The backing dict (default: a new empty one); shared, not copied.
    """

    _state: dict[str, Any]

    def __init__(self, state: dict[str, Any] | None = None) -> None:
        if state is None:
            state = {}
        super().__setattr__("_state", state)

    def __setattr__(self, key: Any, value: Any) -> None:
        self._state[key] = value

    def __getattr__(self, key: Any) -> Any:
        try:
            return self._state[key]
        except KeyError:
            message = "'{}' object has no attribute '{}'"
            raise AttributeError(message.format(self.__class__.__name__, key)) from None

    def __delattr__(self, key: Any) -> None:
        del self._state[key]

    # Item access reaches the same dict: state["key"] is state.key (for keys
    # that are not identifiers, or code that treats the state as a mapping).
    def __getitem__(self, key: str) -> Any:
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __len__(self) -> int:
        return len(self._state)

    def __contains__(self, key: object) -> bool:
        return key in self._state

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self._state!r})"


class DefaultPlaceholder:
    """Marks an argument left at its default, so "not given" differs from an explicit value.

    Routers and apps pass their settings (``response_class``,
    ``generate_unique_id_function``...) down wrapped in one; a route that was
    given its own value keeps it. Truthiness and equality follow the wrapped value.

    Args:
        value: The default it stands for (``.value``).
    """

    def __init__(self, value: Any) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DefaultPlaceholder) and other.value == self.value

    __hash__ = object.__hash__


def Default(value: Any) -> Any:
    """Wrap ``value`` in a :class:`DefaultPlaceholder` (typed ``Any`` to fit any parameter).

    Args:
        value: The default value.

    Returns:
        A ``DefaultPlaceholder`` holding ``value``.
    """
    return DefaultPlaceholder(value)
