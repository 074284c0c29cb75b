"""Tutorial, form data: Form() fields from urlencoded and multipart bodies."""

from typing import Annotated, Any

from tests.guide.conftest import operation, schema
from zephyr import Form, Zephyr

app = Zephyr()


@app.post("/subscribe")
async def subscribe(
    email: Annotated[str, Form(min_length=3)],
    topics: Annotated[list[str], Form()] = [],  # noqa: B006
    weekly: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    return {"email": email, "topics": topics, "weekly": weekly}


@app.post("/vote")
async def vote(choice: Annotated[int, Form(ge=1, le=3)]) -> dict[str, int]:
    return {"choice": choice}


def test_urlencoded_form(client: Any) -> None:
    response = client.post(
        "/subscribe", data={"email": "a@b.c", "topics": ["x", "y"], "weekly": "on"}
    )
    assert response.status_code == 200
    assert response.json() == {"email": "a@b.c", "topics": ["x", "y"], "weekly": True}


def test_multipart_form(client: Any) -> None:
    response = client.post("/subscribe", files={"email": (None, "m@n.o")})
    assert response.status_code == 200
    assert response.json() == {"email": "m@n.o", "topics": [], "weekly": False}


def test_missing_and_invalid_fields(client: Any) -> None:
    missing = client.post("/subscribe", data={"weekly": "yes"})
    assert missing.status_code == 422
    assert missing.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "email"], "msg": "Field required", "input": None}
        ]
    }
    bad = client.post("/vote", data={"choice": "7"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "type": "less_than_equal",
            "loc": ["body", "choice"],
            "msg": "Input should be less than or equal to 3",
            "input": "7",
            "ctx": {"le": 3},
        }
    ]


def test_json_is_not_a_form(client: Any) -> None:
    response = client.post("/vote", json={"choice": 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "choice"]


def test_openapi_form_body(client: Any) -> None:
    body = operation(client, "/subscribe", "post")["requestBody"]
    assert body == {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"$ref": "#/components/schemas/Body_subscribe_subscribe_post"}
            }
        },
        "required": True,
    }
    assert schema(client, "Body_subscribe_subscribe_post") == {
        "properties": {
            "email": {"type": "string", "minLength": 3, "title": "Email"},
            "topics": {
                "items": {"type": "string"},
                "type": "array",
                "title": "Topics",
                "default": [],
            },
            "weekly": {"type": "boolean", "title": "Weekly", "default": False},
        },
        "type": "object",
        "required": ["email"],
        "title": "Body_subscribe_subscribe_post",
    }
