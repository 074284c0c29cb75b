"""The common base of the security dependencies."""

from __future__ import annotations

from zephyr.openapi.models import SecurityBase as SecurityBaseModel

__all__ = ["SecurityBase"]


class SecurityBase:
    """A callable dependency that also describes itself as an OpenAPI security scheme.

    Subclasses set two attributes that the OpenAPI builder reads:

    Attributes:
        model: The security scheme object (``zephyr.openapi.models``) placed
            under ``components.securitySchemes``.
        scheme_name: The key it is placed under; defaults to the class name.
    """

    model: SecurityBaseModel
    scheme_name: str
