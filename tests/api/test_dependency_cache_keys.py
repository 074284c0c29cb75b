"""Which uses of a dependency share one call per request, and which scopes may nest.

One request calls a cached dependency once per *key*. The security scopes in
force are part of the key only where they can change the value (the
dependency declares scopes, reads ``SecurityScopes``, is a security scheme,
or needs one that does): a database session needed inside and outside a
``Security()`` use is opened once. The exit scope is part of the key: a
``scope="function"`` session and a ``scope="request"`` one are two sessions.

A request-scoped ``yield`` dependency would hold a function-scoped one past
its end, so that nesting is refused when the route is declared.
"""

from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any

import pytest

from zephyr import Depends, Security, Zephyr
from zephyr.api_exceptions import DependencyScopeError, ZephyrError
from zephyr.security import OAuth2PasswordBearer, SecurityScopes
from zephyr.testclient import TestClient


def test_a_scope_blind_dependency_is_shared_across_security_uses() -> None:
    calls: Counter[str] = Counter()

    def database() -> str:
        calls["database"] += 1
        return "db"

    def reader(scopes: SecurityScopes, db: Annotated[str, Depends(database)]) -> list[str]:
        calls["reader"] += 1
        return scopes.scopes

    def profile(seen: Annotated[list[str], Security(reader, scopes=["profile"])]) -> list[str]:
        calls["profile"] += 1
        return seen

    app = Zephyr()

    @app.get("/")
    def endpoint(
        db: Annotated[str, Depends(database)],
        mine: Annotated[list[str], Depends(profile)],
        admin: Annotated[list[str], Security(profile, scopes=["admin"])],
    ) -> dict[str, Any]:
        return {"db": db, "mine": mine, "admin": admin}

    response = TestClient(app).get("/")
    assert response.json() == {"db": "db", "mine": ["profile"], "admin": ["admin", "profile"]}
    # ``profile`` needs ``reader``, which reads the scopes: one call per set of scopes.
    assert calls == {"database": 1, "reader": 2, "profile": 2}


def test_a_security_scheme_is_keyed_by_its_scopes() -> None:
    scheme = OAuth2PasswordBearer(tokenUrl="token")
    app = Zephyr()

    @app.get("/")
    def endpoint(
        plain: Annotated[str, Depends(scheme)],
        scoped: Annotated[str, Security(scheme, scopes=["read"])],
    ) -> list[str]:
        return [plain, scoped]

    plan = app.routes[-1].plan  # type: ignore[attr-defined]
    keys = [step.cache_key for step in plan.steps[:-1]]
    assert keys == [(scheme, (), "request"), (scheme, ("read",), "request")]
    response = TestClient(app).get("/", headers={"Authorization": "Bearer t"})
    assert response.json() == ["t", "t"]


class Session:
    def __init__(self) -> None:
        self.open = True


def session() -> Iterator[Session]:
    made = Session()
    yield made
    made.open = False


def test_two_exit_scopes_of_one_dependency_are_two_values() -> None:
    app = Zephyr()
    seen: dict[str, Session] = {}

    @app.get("/")
    def endpoint(
        short: Annotated[Session, Depends(session, scope="function")],
        long: Annotated[Session, Depends(session, scope="request")],
        default: Annotated[Session, Depends(session)],
    ) -> bool:
        seen.update(short=short, long=long, default=default)
        return short is long

    assert TestClient(app).get("/").json() is False
    assert seen["long"] is seen["default"]  # ``request`` is the default scope
    assert seen["short"].open is False  # ended right after the endpoint
    assert seen["long"].open is False  # ended after the response


def holds_function_session(
    s: Annotated[Session, Depends(session, scope="function")],
) -> Iterator[Session]:
    yield s


def returns_function_session(
    s: Annotated[Session, Depends(session, scope="function")],
) -> Session:
    return s


def test_a_request_scoped_yield_dependency_cannot_hold_a_function_scoped_one() -> None:
    app = Zephyr()
    with pytest.raises(DependencyScopeError, match='"holds_function_session" has a scope of "req'):

        @app.get("/broken")
        def broken(s: Annotated[Session, Depends(holds_function_session)]) -> None: ...

    with pytest.raises(ZephyrError, match='cannot depend on dependencies with scope "function"'):

        @app.websocket("/broken")
        async def broken_ws(s: Annotated[Session, Depends(holds_function_session)]) -> None: ...


def test_function_scope_nests_in_function_scope_and_in_plain_dependencies() -> None:
    app = Zephyr()

    @app.get("/nested")
    def nested(
        s: Annotated[Session, Depends(holds_function_session, scope="function")],
    ) -> bool:
        return s.open

    @app.get("/plain")
    def plain(s: Annotated[Session, Depends(returns_function_session)]) -> bool:
        return s.open

    client = TestClient(app)
    assert client.get("/nested").json() is True
    assert client.get("/plain").json() is True
