"""An API with OAuth2 password flow security, so Swagger UI shows "Authorize"."""

from typing import Annotated

from zephyr import Depends, FastAPI
from zephyr.security import OAuth2PasswordBearer

app = FastAPI(title="secured example")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:read": "Read items."})


@app.get("/me")
async def read_me(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, str]:
    return {"token": token}
