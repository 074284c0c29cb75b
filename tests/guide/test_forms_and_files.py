"""Tutorial, request forms and files: Form and File parameters in one multipart body."""

from typing import Annotated, Any

from tests.guide.conftest import operation, schema
from zephyr import File, Form, UploadFile, Zephyr

app = Zephyr()


@app.post("/submissions")
async def submit(
    title: Annotated[str, Form()],
    source: Annotated[UploadFile, File()],
    notes: Annotated[bytes | None, File()] = None,
    draft: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    return {
        "title": title,
        "draft": draft,
        "source": source.filename,
        "lines": (await source.read()).count(b"\n"),
        "notes": None if notes is None else notes.decode(),
    }


def test_form_fields_and_files_together(client: Any) -> None:
    response = client.post(
        "/submissions",
        data={"title": "patch", "draft": "true"},
        files={"source": ("fix.py", b"a\nb\nc\n"), "notes": ("n.txt", b"see issue")},
    )
    assert response.status_code == 200
    assert response.json() == {
        "title": "patch",
        "draft": True,
        "source": "fix.py",
        "lines": 3,
        "notes": "see issue",
    }


def test_missing_parts(client: Any) -> None:
    response = client.post("/submissions", data={"draft": "false"}, files={"other": ("o", b"")})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "title"], ["body", "source"]]


def test_openapi_multipart_schema(client: Any) -> None:
    content = operation(client, "/submissions", "post")["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    body = schema(client, "Body_submit_submissions_post")
    assert body["required"] == ["title", "source"]
    assert body["properties"]["title"] == {"type": "string", "title": "Title"}
    assert body["properties"]["draft"] == {"type": "boolean", "title": "Draft", "default": False}
