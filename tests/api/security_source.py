"""A second shared app: security schemes, scopes, metadata and router options."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from pydantic import BaseModel

app = FastAPI(title="Secure", version="2.0.0", description="Scoped things")
oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "Read me", "items": "Items"})


class User(BaseModel):
    name: str
    scopes: list[str]


def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> User:
    granted = token.split(",")
    for scope in scopes.scopes:
        if scope not in granted:
            raise HTTPException(403, f"missing {scope}", headers={"WWW-Authenticate": "Bearer"})
    return User(name="alice", scopes=scopes.scopes)


@app.get("/me", response_model=User, summary="Who am I", tags=["users"])
async def me(user: Annotated[User, Security(current_user, scopes=["me"])]):
    """Return the current user.

    More text.
    \f
    Hidden from OpenAPI.
    """
    return user


router = APIRouter(responses={404: {"description": "Not here"}})


@router.get("/items/", deprecated=True, responses={409: {"model": User}})
async def items(user: Annotated[User, Security(current_user, scopes=["items", "me"])]):
    return {"user": user.name, "scopes": user.scopes}


@router.get("/hidden", include_in_schema=False)
async def hidden():
    return "h"


app.include_router(router, prefix="/api", tags=["items"])
