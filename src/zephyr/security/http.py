"""HTTP authentication schemes (RFC 9110 section 11): Basic, Bearer and Digest."""

from __future__ import annotations

import binascii
from base64 import b64decode

from pydantic import BaseModel

from zephyr.exceptions import HTTPException
from zephyr.openapi.models import HTTPBase as HTTPBaseModel
from zephyr.openapi.models import HTTPBearer as HTTPBearerModel
from zephyr.requests import Request
from zephyr.security._errors import not_authenticated
from zephyr.security.base import SecurityBase
from zephyr.security.utils import get_authorization_scheme_param

__all__ = [
    "HTTPAuthorizationCredentials",
    "HTTPBase",
    "HTTPBasic",
    "HTTPBasicCredentials",
    "HTTPBearer",
    "HTTPDigest",
]


class HTTPBasicCredentials(BaseModel):
    """The username and password decoded from ``Authorization: Basic`` (RFC 7617)."""

    username: str
    password: str


class HTTPAuthorizationCredentials(BaseModel):
    """An ``Authorization`` header split into scheme and credentials.

    ``scheme`` keeps the client's spelling (``"Bearer"`` or ``"bearer"``).
    """

    scheme: str
    credentials: str


class HTTPBase(SecurityBase):
    """Any HTTP authentication scheme: returns whatever ``scheme credentials`` is sent.

    Args:
        scheme: The scheme name for OpenAPI and the challenge, e.g. ``"custom"``.
        scheme_name: The security scheme key; defaults to the class name.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when the header is missing or has no
            credentials (default) instead of returning ``None``.
    """

    def __init__(
        self,
        *,
        scheme: str,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model: HTTPBaseModel = HTTPBaseModel(scheme=scheme, description=description)
        self.scheme_name = scheme_name or self.__class__.__name__
        self.auto_error = auto_error

    def make_authenticate_headers(self) -> dict[str, str]:
        """Return the ``WWW-Authenticate`` challenge sent with a 401."""
        return {"WWW-Authenticate": self.model.scheme.title()}

    def make_not_authenticated_error(self) -> HTTPException:
        """Return the 401 error raised on missing credentials (override to customise)."""
        return not_authenticated(self.make_authenticate_headers()["WWW-Authenticate"])

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        """Return the credentials of any scheme.

        Raises:
            HTTPException: 401 if the header or its credentials are missing
                and ``auto_error`` is true.
        """
        scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
        if not (scheme and credentials):
            self._raise_if_auto_error()
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)

    def _raise_if_auto_error(self) -> None:
        if self.auto_error:
            raise self.make_not_authenticated_error()

    def _credentials_for(
        self, request: Request, expected: str
    ) -> HTTPAuthorizationCredentials | None:
        # Shared by Bearer and Digest: the scheme must match, case-insensitively.
        scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
        if not (scheme and credentials) or scheme.lower() != expected:
            self._raise_if_auto_error()
            return None
        return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials)


class HTTPBasic(HTTPBase):
    """HTTP Basic authentication (RFC 7617): returns the decoded username and password.

    A request without Basic credentials gets 401 (or ``None`` without
    ``auto_error``). Credentials that are sent but cannot be decoded (bad
    base64, non-ASCII, no ``:``) always get 401, even without ``auto_error``,
    because the client clearly tried Basic and failed.

    Args:
        scheme_name: The security scheme key; defaults to ``"HTTPBasic"``.
        realm: Put in the challenge as ``Basic realm="..."`` when given.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when no Basic credentials are sent (default).
    """

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        realm: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="basic", scheme_name=scheme_name, description=description, auto_error=auto_error
        )
        self.realm = realm

    def make_authenticate_headers(self) -> dict[str, str]:
        """Return ``Basic``, or ``Basic realm="..."`` as a quoted-string (RFC 9110 5.6.4)."""
        if self.realm is None:
            return {"WWW-Authenticate": "Basic"}
        quoted = self.realm.replace("\\", "\\\\").replace('"', '\\"')
        return {"WWW-Authenticate": f'Basic realm="{quoted}"'}

    async def __call__(self, request: Request) -> HTTPBasicCredentials | None:  # type: ignore[override]
        """Return the decoded credentials.

        Raises:
            HTTPException: 401 for undecodable credentials, or for missing
                ones when ``auto_error`` is true.
        """
        scheme, param = get_authorization_scheme_param(request.headers.get("authorization"))
        if not scheme or scheme.lower() != "basic":
            self._raise_if_auto_error()
            return None
        try:
            # Lenient base64 (stray characters dropped) but strict ASCII, like the reference.
            decoded = b64decode(param).decode("ascii")
        except (ValueError, binascii.Error):
            raise self.make_not_authenticated_error() from None
        username, colon, password = decoded.partition(":")
        if not colon:
            raise self.make_not_authenticated_error()
        return HTTPBasicCredentials(username=username, password=password)


class HTTPBearer(HTTPBase):
    """HTTP Bearer authentication (RFC 6750): returns the scheme and the token.

    Args:
        bearerFormat: A hint for OpenAPI such as ``"JWT"``.
        scheme_name: The security scheme key; defaults to ``"HTTPBearer"``.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when no Bearer token is sent (default).
    """

    def __init__(
        self,
        *,
        bearerFormat: str | None = None,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        self.model = HTTPBearerModel(bearerFormat=bearerFormat, description=description)
        self.scheme_name = scheme_name or self.__class__.__name__
        self.auto_error = auto_error

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        """Return the Bearer credentials.

        Raises:
            HTTPException: 401 if missing, empty or another scheme, when
                ``auto_error`` is true.
        """
        return self._credentials_for(request, "bearer")


class HTTPDigest(HTTPBase):
    """HTTP Digest authentication (RFC 7616): returns the raw Digest parameters.

    Verifying the digest is left to the application.

    Args:
        scheme_name: The security scheme key; defaults to ``"HTTPDigest"``.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when no Digest credentials are sent (default).
    """

    def __init__(
        self,
        *,
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        super().__init__(
            scheme="digest", scheme_name=scheme_name, description=description, auto_error=auto_error
        )

    async def __call__(self, request: Request) -> HTTPAuthorizationCredentials | None:
        """Return the Digest credentials.

        Raises:
            HTTPException: 401 if missing or another scheme, when ``auto_error`` is true.
        """
        return self._credentials_for(request, "digest")
