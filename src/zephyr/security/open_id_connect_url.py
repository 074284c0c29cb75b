"""OpenID Connect discovery as a security scheme."""

from __future__ import annotations

from zephyr.exceptions import HTTPException
from zephyr.openapi.models import OpenIdConnect as OpenIdConnectModel
from zephyr.requests import Request
from zephyr.security._errors import not_authenticated
from zephyr.security.base import SecurityBase

__all__ = ["OpenIdConnect"]


class OpenIdConnect(SecurityBase):
    """Declare an OpenID Connect scheme and return the raw ``Authorization`` value.

    Token validation is left to the application: this dependency only checks
    that a header is present.

    Args:
        openIdConnectUrl: The discovery document URL (``.../.well-known/openid-configuration``).
        scheme_name: The security scheme key; defaults to ``"OpenIdConnect"``.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when the header is missing (default) instead of
            returning ``None``.
    """

    def __init__(
        self,
        *,
        openIdConnectUrl: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = OpenIdConnectModel(openIdConnectUrl=openIdConnectUrl, description=description)
        self.scheme_name = scheme_name or self.__class__.__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """Return the error raised for a missing header (override to customise)."""
        return not_authenticated("Bearer")

    async def __call__(self, request: Request) -> str | None:
        """Return the whole ``Authorization`` header value.

        Raises:
            HTTPException: 401 when it is missing or empty and ``auto_error`` is true.
        """
        authorization = request.headers.get("authorization")
        if not authorization:
            if self.auto_error:
                raise self.make_not_authenticated_error()
            return None
        return authorization
