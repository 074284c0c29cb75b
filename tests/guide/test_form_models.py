"""Tutorial, form models: a Pydantic model declared with Form(), extra fields forbidden."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict

from tests.guide.conftest import operation, schema
from zephyr import Form, Zephyr

app = Zephyr()


class SignIn(BaseModel):
    username: str
    password: str
    remember: bool = False


class Feedback(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stars: int
    text: str = ""


@app.post("/sign-in")
async def sign_in(data: Annotated[SignIn, Form()]) -> dict[str, Any]:
    return {"user": data.username, "remember": data.remember}


@app.post("/feedback")
async def feedback(data: Annotated[Feedback, Form()]) -> Feedback:
    return data


def test_form_model(client: Any) -> None:
    response = client.post(
        "/sign-in", data={"username": "ann", "password": "pw", "remember": "true"}
    )
    assert response.status_code == 200
    assert response.json() == {"user": "ann", "remember": True}


def test_form_model_missing_field(client: Any) -> None:
    response = client.post("/sign-in", data={"username": "ann"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "missing",
                "loc": ["body", "password"],
                "msg": "Field required",
                "input": {"username": "ann"},
            }
        ]
    }


def test_form_model_forbids_extra(client: Any) -> None:
    assert client.post("/feedback", data={"stars": "4"}).json() == {"stars": 4, "text": ""}
    response = client.post("/feedback", data={"stars": "4", "spam": "yes"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["body", "spam"],
                "msg": "Extra inputs are not permitted",
                "input": "yes",
            }
        ]
    }


def test_openapi_form_model(client: Any) -> None:
    body = operation(client, "/sign-in", "post")["requestBody"]
    assert body == {
        "content": {
            "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/SignIn"}}
        },
        "required": True,
    }
    assert schema(client, "SignIn")["required"] == ["username", "password"]
    assert schema(client, "Feedback")["additionalProperties"] is False
