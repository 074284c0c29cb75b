"""A Flask app mounted at /legacy under a zephyr API app (WSGI tests, in-process and e2e)."""

from __future__ import annotations

from typing import Any

import flask

from zephyr.applications import Zephyr
from zephyr.middleware.wsgi import WSGIMiddleware

legacy = flask.Flask("legacy")


@legacy.get("/hello")
def hello() -> Any:
    name = flask.request.args.get("name", "world")
    return {
        "hello": name,
        "path": flask.request.path,
        "script_root": flask.request.script_root,
        "agent": flask.request.headers.get("X-Agent"),
    }


@legacy.post("/echo")
def echo() -> Any:
    data = flask.request.get_data()
    response = flask.make_response(data[::-1], 201)
    response.headers["X-Length"] = str(len(data))
    response.headers["Content-Type"] = "application/octet-stream"
    return response


@legacy.post("/form")
def form() -> Any:
    return {"fields": flask.request.form.to_dict()}


@legacy.get("/missing")
def missing() -> Any:
    flask.abort(404, "no such legacy thing")


@legacy.get("/crash")
def crash() -> Any:
    raise RuntimeError("legacy bug")


@legacy.get("/stream")
def stream() -> Any:
    def generate() -> Any:
        for i in range(3):
            yield f"part{i};"

    return flask.Response(generate(), mimetype="text/plain")


app = Zephyr()


@app.get("/api/items/{item_id}")
async def item(item_id: int) -> dict[str, int]:
    return {"item_id": item_id}


app.mount("/legacy", WSGIMiddleware(legacy))
