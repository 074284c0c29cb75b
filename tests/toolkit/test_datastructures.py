"""Tests for zephyr.datastructures."""

from __future__ import annotations

import asyncio
import io

import pytest

from zephyr.datastructures import (
    URL,
    Address,
    CommaSeparatedStrings,
    FormData,
    Headers,
    ImmutableMultiDict,
    MultiDict,
    MutableHeaders,
    QueryParams,
    Secret,
    State,
    UploadFile,
    URLPath,
    new_spooled_file,
)


class TestURL:
    def test_components(self) -> None:
        url = URL("https://user:pw@example.com:8443/a/b?x=1&y=2#frag")
        assert url.scheme == "https"
        assert url.netloc == "user:pw@example.com:8443"
        assert url.path == "/a/b"
        assert url.query == "x=1&y=2"
        assert url.fragment == "frag"
        assert (url.username, url.password) == ("user", "pw")
        assert url.hostname == "example.com"
        assert url.port == 8443
        assert url.is_secure
        assert not URL("http://a/").is_secure
        assert URL("wss://a/").is_secure

    def test_repr_hides_password(self) -> None:
        url = URL("https://user:secret@example.com/")
        assert "secret" not in repr(url)
        assert repr(url) == "URL('https://user:********@example.com/')"
        assert str(url) == "https://user:secret@example.com/"

    def test_replace(self) -> None:
        url = URL("https://user:pw@example.com:8443/p?q=1")
        assert str(url.replace(port=1)) == "https://user:pw@example.com:1/p?q=1"
        assert str(url.replace(hostname="h")) == "https://user:pw@h:8443/p?q=1"
        assert str(url.replace(username="x")) == "https://x:pw@example.com:8443/p?q=1"
        assert str(url.replace(scheme="http", path="/z")) == "http://user:pw@example.com:8443/z?q=1"
        assert str(URL("http://[::1]:80/").replace(port=81)) == "http://[::1]:81/"

    def test_query_param_helpers(self) -> None:
        url = URL("http://a/b?x=1&x=2&z=3")
        assert str(url.include_query_params(y=3, z=4)) == "http://a/b?x=1&x=2&y=3&z=4"
        assert str(url.remove_query_params("x")) == "http://a/b?z=3"
        assert str(url.remove_query_params(["x", "z"])) == "http://a/b"
        assert str(url.replace_query_params(k=[1, 2])) == "http://a/b?k=1&k=2"

    def test_eq_and_hash(self) -> None:
        assert URL("http://a/") == "http://a/"
        assert URL("http://a/") == URL("http://a/")
        assert URL("http://a/") != URL("http://b/")
        assert len({URL("http://a/"), URL("http://a/")}) == 1

    def test_from_scope_uses_host_header(self, make_scope) -> None:
        scope = make_scope("/app/x", headers=[("host", "example.com:8000")], query_string=b"a=1")
        assert str(URL(scope=scope)) == "http://example.com:8000/app/x?a=1"

    def test_from_scope_without_host_header(self, make_scope) -> None:
        scope = make_scope("/p", server=("1.2.3.4", 8080))
        assert str(URL(scope=scope)) == "http://1.2.3.4:8080/p"
        scope = make_scope("/p", server=("1.2.3.4", 443), scheme="https")
        assert str(URL(scope=scope)) == "https://1.2.3.4/p"
        scope = make_scope("/p", server=None)
        assert str(URL(scope=scope)) == "/p"

    def test_components_kwargs(self) -> None:
        assert str(URL(scheme="https", netloc="h", path="/x")) == "https://h/x"

    def test_cannot_mix_sources(self, make_scope) -> None:
        with pytest.raises(AssertionError):
            URL("http://a/", scope=make_scope())


class TestURLPath:
    def test_make_absolute_url(self) -> None:
        path = URLPath("/a", "http")
        assert str(path) == "/a"
        assert str(path.make_absolute_url("https://b.com/root/")) == "https://b.com/root/a"
        ws = URLPath("/ws", "websocket")
        assert str(ws.make_absolute_url(URL("https://b.com/"))) == "wss://b.com/ws"
        assert str(ws.make_absolute_url("http://b.com")) == "ws://b.com/ws"
        hosted = URLPath("/h", "http", host="other.com")
        assert str(hosted.make_absolute_url("http://b.com/")) == "http://other.com/h"

    def test_bad_protocol(self) -> None:
        with pytest.raises(AssertionError):
            URLPath("/a", "ftp")


class TestHeaders:
    def test_case_insensitive_multi(self) -> None:
        headers = Headers(raw=[(b"x-a", b"1"), (b"x-a", b"2"), (b"content-type", b"text/plain")])
        assert headers["X-A"] == "1"
        assert headers.getlist("x-A") == ["1", "2"]
        assert "CONTENT-TYPE" in headers
        assert "missing" not in headers
        assert 1 not in headers
        assert headers.get("missing") is None
        assert headers.getlist("missing") == []
        assert headers.keys() == ["x-a", "x-a", "content-type"]
        assert headers.items() == [("x-a", "1"), ("x-a", "2"), ("content-type", "text/plain")]
        assert len(headers) == 3
        with pytest.raises(KeyError):
            headers["nope"]

    def test_from_mapping_and_scope(self, make_scope) -> None:
        assert Headers({"X-Y": "z"}).raw == [(b"x-y", b"z")]
        scope = make_scope(headers=[("a", "1")])
        headers = Headers(scope=scope)
        assert headers.raw is scope["headers"]
        assert Headers().raw == []

    def test_scope_tuple_headers_are_listified(self) -> None:
        scope = {"headers": ((b"a", b"1"),)}
        assert Headers(scope=scope).raw == [(b"a", b"1")]

    def test_latin1_values(self) -> None:
        assert Headers(raw=[(b"x", "é".encode("latin-1"))])["x"] == "é"

    def test_eq_repr(self) -> None:
        assert Headers({"a": "1"}) == Headers(raw=[(b"a", b"1")])
        assert Headers({"a": "1"}) != {"a": "1"}
        assert repr(Headers({"a": "1"})) == "Headers({'a': '1'})"
        assert "raw=" in repr(Headers(raw=[(b"a", b"1"), (b"a", b"2")]))

    def test_mutablecopy_is_independent(self) -> None:
        headers = Headers({"a": "1"})
        copy = headers.mutablecopy()
        copy["a"] = "2"
        assert headers["a"] == "1"
        assert copy["a"] == "2"

    def test_conflicting_sources(self) -> None:
        with pytest.raises(AssertionError):
            Headers({"a": "1"}, raw=[])


class TestMutableHeaders:
    def test_set_replaces_all(self) -> None:
        raw = [(b"a", b"1"), (b"b", b"x"), (b"a", b"2")]
        headers = MutableHeaders(raw=raw)
        headers["A"] = "3"
        assert raw == [(b"a", b"3"), (b"b", b"x")]

    def test_append_delete_setdefault(self) -> None:
        headers = MutableHeaders()
        headers.append("X", "1")
        headers.append("x", "2")
        assert headers.getlist("x") == ["1", "2"]
        assert headers.setdefault("x", "9") == "1"
        assert headers.setdefault("y", "9") == "9"
        del headers["X"]
        assert "x" not in headers
        del headers["absent"]  # no error
        assert headers.raw == [(b"y", b"9")]

    def test_update_and_or(self) -> None:
        headers = MutableHeaders({"a": "1"})
        headers.update({"a": "2", "b": "3"})
        assert headers.items() == [("a", "2"), ("b", "3")]
        merged = headers | {"c": "4"}
        assert "c" in merged
        assert "c" not in headers
        headers |= {"d": "5"}
        assert headers["d"] == "5"
        with pytest.raises(TypeError):
            headers | [("x", "y")]  # type: ignore[operator]

    def test_vary(self) -> None:
        headers = MutableHeaders()
        headers.add_vary_header("Accept")
        headers.add_vary_header("Origin")
        assert headers["vary"] == "Accept, Origin"


class TestMultiDicts:
    def test_immutable(self) -> None:
        d = ImmutableMultiDict([("a", "1"), ("b", "2"), ("a", "3")])
        assert d["a"] == "3"
        assert d.getlist("a") == ["1", "3"]
        assert d.multi_items() == [("a", "1"), ("b", "2"), ("a", "3")]
        assert list(d) == ["a", "b"]
        assert len(d) == 2
        # Names in any order, each name's values in theirs (as Starlette 1.10).
        assert d == ImmutableMultiDict([("b", "2"), ("a", "1"), ("a", "3")])
        assert d != ImmutableMultiDict([("a", "3"), ("b", "2"), ("a", "1")])
        assert d != {"a": "3"}
        assert repr(ImmutableMultiDict({"x": "1"})) == "ImmutableMultiDict([('x', '1')])"
        assert ImmutableMultiDict({"a": "1"}, b="2").multi_items() == [("a", "1"), ("b", "2")]
        with pytest.raises(AssertionError):
            ImmutableMultiDict([], [])  # type: ignore[call-arg]

    def test_mutable(self) -> None:
        d = MultiDict([("a", "1"), ("a", "2"), ("b", "x")])
        d["a"] = "3"
        assert d.multi_items() == [("b", "x"), ("a", "3")]
        d.append("a", "4")
        assert d.getlist("a") == ["3", "4"]
        assert d.poplist("a") == ["3", "4"]
        assert "a" not in d
        assert d.setdefault("c", "5") == "5"
        d.setlist("b", [])
        assert "b" not in d
        d.update({"c": "6"})
        assert d.multi_items() == [("c", "6")]
        del d["c"]
        assert len(d) == 0
        d.append("k", "v")
        assert d.popitem() == ("k", "v")
        d.append("z", "1")
        d.clear()
        assert d.multi_items() == []
        assert d.pop("missing", "dflt") == "dflt"


class TestQueryParams:
    def test_parse_and_roundtrip(self) -> None:
        q = QueryParams("a=1&b=&a=2&c=x%20y")
        assert q["a"] == "2"
        assert q.getlist("a") == ["1", "2"]
        assert q["b"] == ""
        assert q["c"] == "x y"
        assert str(q) == "a=1&b=&a=2&c=x+y"
        assert QueryParams(str(q)) == q
        assert repr(QueryParams("a=1")) == "QueryParams('a=1')"

    def test_sources(self) -> None:
        assert QueryParams(b"x=1")["x"] == "1"
        assert QueryParams({"a": 1})["a"] == "1"
        assert QueryParams([("a", "1"), ("a", "2")]).getlist("a") == ["1", "2"]
        assert QueryParams(a="1")["a"] == "1"
        assert QueryParams("") == QueryParams()
        assert QueryParams("%zz=%e9")["%zz"] == "\ufffd"


class TestSmallTypes:
    def test_address(self) -> None:
        address = Address("1.2.3.4", 80)
        assert address.host == "1.2.3.4"
        assert address.port == 80
        host, port = address
        assert (host, port) == ("1.2.3.4", 80)

    def test_secret(self) -> None:
        secret = Secret("hunter2")
        assert "hunter2" not in repr(secret)
        assert str(secret) == "hunter2"
        assert not Secret("")

    def test_comma_separated(self) -> None:
        items = CommaSeparatedStrings("a, b ,c")
        assert list(items) == ["a", "b", "c"]
        assert items[1] == "b"
        assert len(items) == 3
        assert str(items) == "'a', 'b', 'c'"
        assert list(CommaSeparatedStrings(["x", "y"])) == ["x", "y"]
        assert list(CommaSeparatedStrings("'a, b', c")) == ["a, b", "c"]

    def test_state(self) -> None:
        backing: dict[str, object] = {}
        state = State(backing)
        state.db = "conn"
        assert backing == {"db": "conn"}
        assert state.db == "conn"
        del state.db
        with pytest.raises(AttributeError, match="'State' object has no attribute 'missing'"):
            _ = state.missing
        assert "State(" in repr(State({"a": 1}))


class TestUploadFile:
    def test_in_memory_ops(self) -> None:
        async def main() -> None:
            upload = UploadFile(
                io.BytesIO(), size=0, filename="a.txt", headers=Headers({"content-type": "text/x"})
            )
            assert upload.content_type == "text/x"
            await upload.write(b"hello")
            assert upload.size == 5
            await upload.seek(0)
            assert await upload.read() == b"hello"
            await upload.seek(1)
            assert await upload.read(2) == b"el"
            await upload.close()
            assert upload.file.closed

        asyncio.run(main())

    def test_rolled_file_uses_thread(self) -> None:
        async def main() -> None:
            upload = UploadFile(new_spooled_file(max_size=4), size=0)
            await upload.write(b"0123456789")
            assert upload.file._rolled  # type: ignore[attr-defined]
            assert not upload._in_memory
            await upload.seek(0)
            assert await upload.read() == b"0123456789"
            await upload.close()

        asyncio.run(main())

    def test_defaults_and_repr(self) -> None:
        upload = UploadFile(io.BytesIO(), filename="f.bin")
        assert upload.content_type is None
        assert upload.size is None
        assert repr(upload).startswith("UploadFile(filename='f.bin'")

    def test_pydantic_validator_takes_value_and_info(self) -> None:
        from pydantic import TypeAdapter, ValidationError

        upload = UploadFile(io.BytesIO(), filename="f.bin")
        # Called directly with (value, info), as code written for FastAPI does.
        assert UploadFile._validate(upload, None) is upload
        with pytest.raises(ValueError, match="Expected UploadFile, received: <class 'int'>"):
            UploadFile._validate(3, {})
        adapter = TypeAdapter(UploadFile)
        assert adapter.validate_python(upload) is upload
        with pytest.raises(ValidationError, match="Expected UploadFile"):
            adapter.validate_python("text")


def test_form_data_close_closes_uploads() -> None:
    async def main() -> None:
        upload = UploadFile(io.BytesIO(b"x"), filename="f")
        form = FormData([("field", "v"), ("file", upload)])
        assert form["field"] == "v"
        await form.close()
        assert upload.file.closed

    asyncio.run(main())


def test_form_data_with_uploads_compares_without_ordering_files() -> None:
    import io

    from zephyr.datastructures import FormData, UploadFile

    first, second = UploadFile(io.BytesIO(b"a"), filename="a"), UploadFile(io.BytesIO(b"b"))
    form = FormData([("files", first), ("files", second), ("name", "x")])
    assert form == FormData([("name", "x"), ("files", first), ("files", second)])
    assert form != FormData([("files", second), ("files", first), ("name", "x")])


def test_vary_merges_every_existing_field() -> None:
    from zephyr.datastructures import MutableHeaders

    headers = MutableHeaders(raw=[(b"vary", b"Accept-Language"), (b"vary", b"Cookie")])
    headers.add_vary_header("Accept-Encoding")
    assert headers.getlist("vary") == ["Accept-Language, Cookie, Accept-Encoding"]
