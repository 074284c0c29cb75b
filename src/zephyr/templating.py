"""Jinja2 templates rendered into HTML responses.

``Jinja2Templates`` wraps a ``jinja2.Environment`` (autoescaping HTML and
XML), adds a ``url_for(name, **path_params)`` global that builds absolute URLs
from the current request, and renders templates into ``_TemplateResponse``.
jinja2 is optional: importing this module without it raises an ImportError
saying how to install it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from zephyr.background import BackgroundTask
from zephyr.datastructures import URL
from zephyr.requests import Request
from zephyr.responses import HTMLResponse
from zephyr.types import Receive, Scope, Send

try:
    import jinja2
except ModuleNotFoundError as exc:  # pragma: no cover - exercised by a subprocess test
    raise ImportError(
        "zephyr.templating requires jinja2. Install it with: pip install jinja2 "
        "(or pip install 'zephyr[standard]')"
    ) from exc

__all__ = ["Jinja2Templates"]

ContextProcessor = Callable[[Request], dict[str, Any]]
PathLike = str | os.PathLike[str]


class _TemplateResponse(HTMLResponse):
    """An HTML response that remembers the template and context it was rendered from.

    Test clients see them as ``response.template`` and ``response.context``
    (sent through the ASGI ``http.response.debug`` extension when offered).

    Args:
        template: The ``jinja2.Template``.
        context: The render context (includes ``request``).
        status_code: Default 200.
        headers: Extra headers.
        media_type: Default ``text/html``.
        background: Task run after sending.
    """

    def __init__(
        self,
        template: jinja2.Template,
        context: dict[str, Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.template = template
        self.context = context
        super().__init__(template.render(context), status_code, headers, media_type, background)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "http.response.debug" in scope.get("extensions", {}):
            info = {"template": self.template, "context": self.context}
            await send({"type": "http.response.debug", "info": info})
        await super().__call__(scope, receive, send)


class Jinja2Templates:
    """A set of Jinja2 templates that render into responses.

    Args:
        directory: Template folder(s) for a new ``FileSystemLoader``
            environment. Exactly one of ``directory`` and ``env`` is required.
        context_processors: Callables ``(request) -> dict`` merged into every
            render context. Default: none.
        env: A ready ``jinja2.Environment`` (its loader is used as-is).
        **env_options: Extra ``jinja2.Environment`` options (with ``directory``).
            ``autoescape`` defaults to ``select_autoescape()`` (HTML/XML on).

    Raises:
        AssertionError: Both or neither of ``directory`` and ``env`` given.
    """

    def __init__(
        self,
        directory: PathLike | Sequence[PathLike] | None = None,
        *,
        context_processors: list[ContextProcessor] | None = None,
        env: jinja2.Environment | None = None,
        **env_options: Any,
    ) -> None:
        assert bool(directory) ^ bool(env), "either 'directory' or 'env' arguments must be passed"
        self.context_processors = list(context_processors or [])
        if env is None:
            env_options.setdefault("loader", jinja2.FileSystemLoader(directory))  # type: ignore[arg-type]
            env_options.setdefault("autoescape", jinja2.select_autoescape())
            env = jinja2.Environment(**env_options)
        self.env = env
        self.env.globals.setdefault("url_for", _url_for)

    def get_template(self, name: str) -> jinja2.Template:
        """Load a template by name.

        Raises:
            jinja2.TemplateNotFound: No such template.
        """
        return self.env.get_template(name)

    def TemplateResponse(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> _TemplateResponse:
        """Render template ``name`` into an HTML response.

        Args:
            request: The current request; available in templates as ``request``
                and used by ``url_for``.
            name: Template name, relative to the loader.
            context: Template variables. Default: none.
            status_code: Default 200.
            headers: Extra response headers.
            media_type: Default ``text/html``.
            background: Task run after the response is sent.

        Returns:
            The response, with ``.template`` and ``.context`` set.

        Raises:
            jinja2.TemplateNotFound: No such template.
        """
        full: dict[str, Any] = dict(context or {})
        full.setdefault("request", request)
        for processor in self.context_processors:
            full.update(processor(request))
        return _TemplateResponse(
            self.get_template(name), full, status_code, headers, media_type, background
        )


@jinja2.pass_context
def _url_for(context: Mapping[str, Any], name: str, /, **path_params: Any) -> URL:
    request: Request = context["request"]
    return request.url_for(name, **path_params)
