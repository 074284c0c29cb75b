"""API keys sent in a query parameter, a header or a cookie."""

from __future__ import annotations

from zephyr.exceptions import HTTPException
from zephyr.openapi.models import APIKey, APIKeyIn
from zephyr.requests import Request
from zephyr.security._errors import not_authenticated
from zephyr.security.base import SecurityBase

__all__ = ["APIKeyBase", "APIKeyCookie", "APIKeyHeader", "APIKeyQuery"]


class APIKeyBase(SecurityBase):
    """Shared behaviour of the API key dependencies.

    Args:
        location: Where the key is sent (query, header or cookie).
        name: The parameter, header or cookie name.
        description: Shown in the OpenAPI document, or ``None``.
        scheme_name: The security scheme key; defaults to the class name.
        auto_error: If true a missing key raises 401; if false the
            dependency returns ``None`` so the endpoint can decide.
    """

    def __init__(
        self,
        location: APIKeyIn,
        name: str,
        description: str | None,
        scheme_name: str | None,
        auto_error: bool,
    ) -> None:
        self.model: APIKey = APIKey.model_validate(
            {"in": location, "name": name, "description": description}
        )
        self.scheme_name = scheme_name or self.__class__.__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """Return the error raised for a missing key (override to customise).

        Returns:
            A 401 ``HTTPException`` with ``WWW-Authenticate: APIKey``.
        """
        return not_authenticated("APIKey")

    def check_api_key(self, api_key: str | None) -> str | None:
        """Return the key, or ``None``/raise when it is missing or empty.

        Args:
            api_key: The value read from the request, or ``None``.

        Returns:
            The key, or ``None`` when missing and ``auto_error`` is false.

        Raises:
            HTTPException: 401 when missing and ``auto_error`` is true.
        """
        if not api_key:
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return api_key


class APIKeyQuery(APIKeyBase):
    """An API key read from the query parameter ``name``.

    Args:
        name: The query parameter name.
        scheme_name: The security scheme key; defaults to ``"APIKeyQuery"``.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when missing (default) instead of returning ``None``.
    """

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(APIKeyIn.query, name, description, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        """Return the key from the query string (``None`` if absent and not ``auto_error``)."""
        return self.check_api_key(request.query_params.get(self.model.name))


class APIKeyHeader(APIKeyBase):
    """An API key read from the request header ``name`` (case-insensitive).

    Args:
        name: The header name, e.g. ``"X-API-Key"``.
        scheme_name: The security scheme key; defaults to ``"APIKeyHeader"``.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when missing (default) instead of returning ``None``.
    """

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(APIKeyIn.header, name, description, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        """Return the key from the header (``None`` if absent and not ``auto_error``)."""
        return self.check_api_key(request.headers.get(self.model.name))


class APIKeyCookie(APIKeyBase):
    """An API key read from the cookie ``name``.

    Args:
        name: The cookie name.
        scheme_name: The security scheme key; defaults to ``"APIKeyCookie"``.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when missing (default) instead of returning ``None``.
    """

    def __init__(
        self,
        *,
        name: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(APIKeyIn.cookie, name, description, scheme_name, auto_error)

    async def __call__(self, request: Request) -> str | None:
        """Return the key from the cookie (``None`` if absent and not ``auto_error``)."""
        return self.check_api_key(request.cookies.get(self.model.name))
