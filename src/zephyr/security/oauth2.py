"""OAuth2 (RFC 6749) dependencies: bearer-token readers, the password form, scopes.

This module deliberately does not use postponed annotations: the form
classes' ``__init__`` signatures carry ``Annotated[..., Form()]`` objects that
the dependency resolver inspects directly.
"""

from typing import Annotated, Any, cast

from zephyr.exceptions import HTTPException
from zephyr.openapi.models import OAuth2 as OAuth2Model
from zephyr.openapi.models import OAuthFlows as OAuthFlowsModel
from zephyr.param_functions import Form
from zephyr.requests import Request
from zephyr.security._errors import not_authenticated
from zephyr.security.base import SecurityBase
from zephyr.security.utils import get_authorization_scheme_param

__all__ = [
    "OAuth2",
    "OAuth2AuthorizationCodeBearer",
    "OAuth2PasswordBearer",
    "OAuth2PasswordRequestForm",
    "OAuth2PasswordRequestFormStrict",
    "SecurityScopes",
]

_PASSWORD_FORMAT = {"format": "password"}


class OAuth2PasswordRequestForm:
    """The form of an OAuth2 password grant token request (RFC 6749 section 4.3.2).

    Use it as a class dependency: ``form: Annotated[OAuth2PasswordRequestForm,
    Depends()]``. It is permissive: ``grant_type`` may be omitted (but if sent
    it must be ``"password"``).

    Args:
        grant_type: ``"password"`` or ``None``.
        username: The resource owner's username.
        password: The resource owner's password.
        scope: Space-separated scopes (default ``""``); exposed split as ``scopes``.
        client_id: Client id, if the client sends it in the form.
        client_secret: Client secret, if the client sends it in the form.
    """

    def __init__(
        self,
        *,
        grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
        username: Annotated[str, Form()],
        password: Annotated[str, Form(json_schema_extra=_PASSWORD_FORMAT)],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form(json_schema_extra=_PASSWORD_FORMAT)] = None,
    ) -> None:
        self.grant_type = grant_type
        self.username = username
        self.password = password
        self.scopes = scope.split()
        self.client_id = client_id
        self.client_secret = client_secret


class OAuth2PasswordRequestFormStrict(OAuth2PasswordRequestForm):
    """Like ``OAuth2PasswordRequestForm`` but ``grant_type="password"`` is required.

    Args:
        grant_type: Must be ``"password"``.
        username: The resource owner's username.
        password: The resource owner's password.
        scope: Space-separated scopes (default ``""``).
        client_id: Client id, if sent in the form.
        client_secret: Client secret, if sent in the form.
    """

    def __init__(
        self,
        grant_type: Annotated[str, Form(pattern="^password$")],
        username: Annotated[str, Form()],
        password: Annotated[str, Form()],
        scope: Annotated[str, Form()] = "",
        client_id: Annotated[str | None, Form()] = None,
        client_secret: Annotated[str | None, Form()] = None,
    ) -> None:
        super().__init__(
            grant_type=grant_type,
            username=username,
            password=password,
            scope=scope,
            client_id=client_id,
            client_secret=client_secret,
        )


class OAuth2(SecurityBase):
    """A generic OAuth2 scheme: returns the raw ``Authorization`` header value.

    Args:
        flows: The supported flows, as ``OAuthFlows`` or its dict form.
        scheme_name: The security scheme key; defaults to the class name.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when the header is missing (default) instead of
            returning ``None``.
    """

    def __init__(
        self,
        *,
        flows: OAuthFlowsModel | dict[str, dict[str, Any]] = OAuthFlowsModel(),
        scheme_name: str | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        flows_model = OAuthFlowsModel.model_validate(flows)
        self.model: OAuth2Model = OAuth2Model(flows=flows_model, description=description)
        self.scheme_name = scheme_name or self.__class__.__name__
        self.auto_error = auto_error

    def make_not_authenticated_error(self) -> HTTPException:
        """Return the 401 error with ``WWW-Authenticate: Bearer`` (override to customise)."""
        return not_authenticated("Bearer")

    def _raise_if_auto_error(self) -> None:
        if self.auto_error:
            raise self.make_not_authenticated_error()

    async def __call__(self, request: Request) -> str | None:
        """Return the whole ``Authorization`` header value.

        Raises:
            HTTPException: 401 when it is missing or empty and ``auto_error`` is true.
        """
        authorization = request.headers.get("authorization")
        if not authorization:
            self._raise_if_auto_error()
            return None
        return authorization

    def _bearer_token(self, request: Request) -> str | None:
        authorization = request.headers.get("authorization")
        scheme, token = get_authorization_scheme_param(authorization)
        if not authorization or scheme.lower() != "bearer":
            self._raise_if_auto_error()
            return None
        return token


class OAuth2PasswordBearer(OAuth2):
    """The OAuth2 password flow: returns the Bearer token (RFC 6750) from the request.

    Args:
        tokenUrl: The URL (usually relative) where clients get a token.
        scheme_name: The security scheme key; defaults to ``"OAuth2PasswordBearer"``.
        scopes: Scope name to description, shown in the OpenAPI document.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when no Bearer token is sent (default).
        refreshUrl: The URL to refresh tokens, if any.
    """

    def __init__(
        self,
        tokenUrl: str,
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
        refreshUrl: str | None = None,
    ) -> None:
        flow = {"tokenUrl": tokenUrl, "refreshUrl": refreshUrl, "scopes": scopes or {}}
        super().__init__(
            flows=OAuthFlowsModel(password=cast(Any, flow)),
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: Request) -> str | None:
        """Return the token after ``Bearer `` (``""`` if the header is just ``Bearer``).

        Raises:
            HTTPException: 401 if missing or another scheme, when ``auto_error`` is true.
        """
        return self._bearer_token(request)


class OAuth2AuthorizationCodeBearer(OAuth2):
    """The OAuth2 authorization code flow: returns the Bearer token from the request.

    Args:
        authorizationUrl: Where users authorize the client.
        tokenUrl: Where the client exchanges the code for a token.
        refreshUrl: Where tokens are refreshed, if anywhere.
        scheme_name: The security scheme key; defaults to the class name.
        scopes: Scope name to description, shown in the OpenAPI document.
        description: Shown in the OpenAPI document.
        auto_error: Raise 401 when no Bearer token is sent (default).
    """

    def __init__(
        self,
        authorizationUrl: str,
        tokenUrl: str,
        refreshUrl: str | None = None,
        scheme_name: str | None = None,
        scopes: dict[str, str] | None = None,
        description: str | None = None,
        auto_error: bool = True,
    ) -> None:
        flow = {
            "authorizationUrl": authorizationUrl,
            "tokenUrl": tokenUrl,
            "refreshUrl": refreshUrl,
            "scopes": scopes or {},
        }
        super().__init__(
            flows=OAuthFlowsModel(authorizationCode=cast(Any, flow)),
            scheme_name=scheme_name,
            description=description,
            auto_error=auto_error,
        )

    async def __call__(self, request: Request) -> str | None:
        """Return the Bearer token.

        Raises:
            HTTPException: 401 if missing or another scheme, when ``auto_error`` is true.
        """
        return self._bearer_token(request)


class SecurityScopes:
    """The scopes required by all ``Security(...)`` dependencies above this one.

    Declare a parameter of this type in a dependency and the resolver fills it.

    Args:
        scopes: The required scopes, or ``None`` for none.

    Attributes:
        scopes: The list of scopes.
        scope_str: The scopes joined by spaces, as used in ``WWW-Authenticate``.
    """

    def __init__(self, scopes: list[str] | None = None) -> None:
        self.scopes: list[str] = scopes or []
        self.scope_str: str = " ".join(self.scopes)
