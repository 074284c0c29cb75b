"""Advanced dependencies: parameterized callable instances as dependencies."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Depends, HTTPException, Zephyr

app = Zephyr()


class WordFilter:
    def __init__(self, banned: set[str]) -> None:
        self.banned = banned

    def __call__(self, text: str = "") -> str:
        words = text.split()
        hits = [w for w in words if w.lower() in self.banned]
        if hits:
            raise HTTPException(status_code=400, detail=f"banned words: {', '.join(hits)}")
        return text


class MaxLength:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    async def __call__(self, text: str = "") -> int:
        if len(text) > self.limit:
            raise HTTPException(status_code=413, detail=f"longer than {self.limit}")
        return len(text)


strict_filter = WordFilter({"spam", "scam"})
short = MaxLength(20)


@app.get("/post")
async def post(
    text: Annotated[str, Depends(strict_filter)], length: Annotated[int, Depends(short)]
) -> dict[str, Any]:
    return {"text": text, "length": length}


def test_instances_configured_once(client: Any) -> None:
    assert client.get("/post?text=hello there").json() == {"text": "hello there", "length": 11}
    banned = client.get("/post?text=buy SPAM now")
    assert banned.status_code == 400
    assert banned.json() == {"detail": "banned words: SPAM"}
    long = client.get("/post?text=" + "x" * 21)
    assert long.status_code == 413
    assert long.json() == {"detail": "longer than 20"}


def test_openapi_shared_param_listed_once(client: Any) -> None:
    params = operation(client, "/post")["parameters"]
    assert params == [
        {
            "name": "text",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "default": "", "title": "Text"},
        }
    ]
