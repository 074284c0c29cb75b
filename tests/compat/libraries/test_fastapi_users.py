"""fastapi-users with its SQLAlchemy backend (SQLite) on a zephyr app: register, log in, me."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import httpx
from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from .conftest import Serve

SECRET = "not-a-secret-but-long-enough-for-hs256-keys"


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserCreate(schemas.BaseUserCreate):
    pass


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


def build_app(database: Path) -> Any:
    engine = create_async_engine(f"sqlite+aiosqlite:///{database}")
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def get_session() -> AsyncGenerator[AsyncSession, None]:
        async with sessions() as session:
            yield session

    async def get_user_db(
        session: AsyncSession = Depends(get_session),
    ) -> AsyncGenerator[SQLAlchemyUserDatabase[User, uuid.UUID], None]:
        yield SQLAlchemyUserDatabase(session, User)

    async def get_user_manager(
        user_db: SQLAlchemyUserDatabase[User, uuid.UUID] = Depends(get_user_db),
    ) -> AsyncGenerator[UserManager, None]:
        yield UserManager(user_db)

    def get_jwt_strategy() -> JWTStrategy[User, uuid.UUID]:
        return JWTStrategy(secret=SECRET, lifetime_seconds=3600)

    backend = AuthenticationBackend(
        name="jwt",
        transport=BearerTransport(tokenUrl="auth/jwt/login"),
        get_strategy=get_jwt_strategy,
    )
    users = FastAPIUsers[User, uuid.UUID](get_user_manager, [backend])

    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncGenerator[None, None]:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)
    app.include_router(users.get_auth_router(backend), prefix="/auth/jwt", tags=["auth"])
    app.include_router(users.get_register_router(UserRead, UserCreate), prefix="/auth")
    app.include_router(users.get_users_router(UserRead, schemas.BaseUserUpdate), prefix="/users")
    return app


def test_register_login_and_read_me(serve: Serve, tmp_path: Path) -> None:
    url = serve(build_app(tmp_path / "users.db"))
    account = {"email": "ada@example.com", "password": "correct horse battery"}
    with httpx.Client(base_url=url) as client:
        registered = client.post("/auth/register", json=account)
        assert registered.status_code == 201, registered.text
        assert registered.json()["email"] == "ada@example.com"
        again = client.post("/auth/register", json=account)
        assert again.status_code == 400
        assert again.json() == {"detail": "REGISTER_USER_ALREADY_EXISTS"}
        wrong = client.post("/auth/jwt/login", data={"username": account["email"], "password": "x"})
        assert wrong.status_code == 400
        login = client.post(
            "/auth/jwt/login", data={"username": account["email"], "password": account["password"]}
        )
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        assert client.get("/users/me").status_code == 401
        me = client.get("/users/me", headers={"authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["email"] == "ada@example.com"
        schema = client.get("/openapi.json").json()
    assert {"/auth/register", "/auth/jwt/login", "/users/me"} <= set(schema["paths"])
