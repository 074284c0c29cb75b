"""sqladmin on a zephyr app: the admin's list and create pages over a SQLAlchemy model."""

from __future__ import annotations

import re

import httpx
from fastapi import FastAPI
from sqladmin import Admin, ModelView
from sqlalchemy import Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.pool import StaticPool

from .conftest import Serve


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class AuthorAdmin(ModelView, model=Author):
    column_list = [Author.id, Author.name]


def test_admin_lists_and_creates_rows(serve: Serve) -> None:
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(Author(name="Ada Lovelace"))
        session.commit()
    app = FastAPI()
    Admin(app, engine).add_view(AuthorAdmin)
    url = serve(app)
    with httpx.Client(base_url=url, follow_redirects=True) as client:
        index = client.get("/admin/author/list")
        assert index.status_code == 200, index.text[:500]
        assert "Ada Lovelace" in index.text
        # Every stylesheet and script the page names is served.
        assets = re.findall(r'(?:href|src)="([^"]+/statics/[^"]+)"', index.text)
        assert assets
        for asset in assets:
            assert client.get(asset).status_code == 200, asset
        created = client.post("/admin/author/create", data={"name": "Grace Hopper"})
        assert created.status_code == 200
        assert "Grace Hopper" in client.get("/admin/author/list").text
    with Session(engine) as session:
        assert sorted(a.name for a in session.query(Author)) == ["Ada Lovelace", "Grace Hopper"]
