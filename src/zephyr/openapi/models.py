"""Pydantic v2 models of the OpenAPI 3.1 document objects.

Names and field spellings follow the OpenAPI Specification 3.1.0 (and the
JSON Schema 2020-12 vocabulary for ``Schema``), so that
``model_dump(by_alias=True, exclude_none=True)`` yields a spec-shaped dict.
Fields whose spec name is a Python keyword or starts with ``$`` carry a
trailing underscore or a plain name and an alias (``in_`` -> ``"in"``,
``ref`` -> ``"$ref"``); both spellings are accepted on input.

Every object except ``Reference`` and ``Discriminator`` allows extra keys,
because the spec allows ``x-`` extensions almost everywhere.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Literal

from pydantic import AnyUrl, BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

__all__ = [
    "XML",
    "APIKey",
    "APIKeyIn",
    "BaseModelWithConfig",
    "Components",
    "Contact",
    "Discriminator",
    "Encoding",
    "Example",
    "ExternalDocumentation",
    "HTTPBase",
    "HTTPBearer",
    "Header",
    "Info",
    "License",
    "Link",
    "MediaType",
    "OAuth2",
    "OAuthFlow",
    "OAuthFlowAuthorizationCode",
    "OAuthFlowClientCredentials",
    "OAuthFlowImplicit",
    "OAuthFlowPassword",
    "OAuthFlows",
    "OpenAPI",
    "OpenIdConnect",
    "Operation",
    "Parameter",
    "ParameterBase",
    "ParameterInType",
    "PathItem",
    "Reference",
    "RequestBody",
    "Response",
    "Schema",
    "SchemaOrBool",
    "SchemaType",
    "SecurityBase",
    "SecurityScheme",
    "SecuritySchemeType",
    "Server",
    "ServerVariable",
    "Tag",
]


class BaseModelWithConfig(BaseModel):
    """Base of the extensible OpenAPI objects: unknown keys (``x-*``) are kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Contact(BaseModelWithConfig):
    """Contact information for the exposed API (OpenAPI 3.1 section 4.8.3)."""

    name: str | None = None
    url: AnyUrl | None = None
    # A plain string: e-mail validation would need the optional email-validator.
    email: str | None = None


class License(BaseModelWithConfig):
    """License information; ``identifier`` is an SPDX expression (section 4.8.4)."""

    name: str
    identifier: str | None = None
    url: AnyUrl | None = None


class Info(BaseModelWithConfig):
    """Metadata about the API (section 4.8.2)."""

    title: str
    summary: str | None = None
    description: str | None = None
    termsOfService: str | None = None
    contact: Contact | None = None
    license: License | None = None
    version: str


class ServerVariable(BaseModelWithConfig):
    """A substitution variable for a server URL template (section 4.8.6)."""

    enum: list[str] | None = None
    default: str
    description: str | None = None


class Server(BaseModelWithConfig):
    """A server the API is reachable at; ``url`` may be relative (section 4.8.5)."""

    url: AnyUrl | str
    description: str | None = None
    variables: dict[str, ServerVariable] | None = None


class Reference(BaseModel):
    """A ``{"$ref": ...}`` pointer to another component (section 4.8.23)."""

    model_config = ConfigDict(populate_by_name=True)

    ref: str = Field(alias="$ref")


class Discriminator(BaseModel):
    """Hint for polymorphic schemas (section 4.8.25)."""

    propertyName: str
    mapping: dict[str, str] | None = None


class XML(BaseModelWithConfig):
    """XML representation details of a schema (section 4.8.26)."""

    name: str | None = None
    namespace: str | None = None
    prefix: str | None = None
    attribute: bool | None = None
    wrapped: bool | None = None


class ExternalDocumentation(BaseModelWithConfig):
    """A link to external documentation (section 4.8.11)."""

    description: str | None = None
    url: AnyUrl


SchemaType = Literal["array", "boolean", "integer", "null", "number", "object", "string"]


class Schema(BaseModelWithConfig):
    """A JSON Schema 2020-12 schema with the OpenAPI vocabulary (section 4.8.24).

    Unknown keywords are kept as extras, so any valid schema round-trips.
    """

    # Core vocabulary (JSON Schema Core section 8).
    schema_: str | None = Field(default=None, alias="$schema")
    vocabulary: str | None = Field(default=None, alias="$vocabulary")
    id: str | None = Field(default=None, alias="$id")
    anchor: str | None = Field(default=None, alias="$anchor")
    dynamicAnchor: str | None = Field(default=None, alias="$dynamicAnchor")
    ref: str | None = Field(default=None, alias="$ref")
    dynamicRef: str | None = Field(default=None, alias="$dynamicRef")
    defs: dict[str, SchemaOrBool] | None = Field(default=None, alias="$defs")
    comment: str | None = Field(default=None, alias="$comment")
    # Applicators (section 10).
    allOf: list[SchemaOrBool] | None = None
    anyOf: list[SchemaOrBool] | None = None
    oneOf: list[SchemaOrBool] | None = None
    not_: SchemaOrBool | None = Field(default=None, alias="not")
    if_: SchemaOrBool | None = Field(default=None, alias="if")
    then: SchemaOrBool | None = None
    else_: SchemaOrBool | None = Field(default=None, alias="else")
    dependentSchemas: dict[str, SchemaOrBool] | None = None
    prefixItems: list[SchemaOrBool] | None = None
    items: SchemaOrBool | None = None
    contains: SchemaOrBool | None = None
    properties: dict[str, SchemaOrBool] | None = None
    patternProperties: dict[str, SchemaOrBool] | None = None
    additionalProperties: SchemaOrBool | None = None
    propertyNames: SchemaOrBool | None = None
    unevaluatedItems: SchemaOrBool | None = None
    unevaluatedProperties: SchemaOrBool | None = None
    # Validation vocabulary (JSON Schema Validation section 6).
    type: SchemaType | list[SchemaType] | None = None
    enum: list[Any] | None = None
    const: Any | None = None
    multipleOf: float | None = None
    maximum: float | None = None
    exclusiveMaximum: float | None = None
    minimum: float | None = None
    exclusiveMinimum: float | None = None
    maxLength: int | None = None
    minLength: int | None = None
    pattern: str | None = None
    maxItems: int | None = None
    minItems: int | None = None
    uniqueItems: bool | None = None
    maxContains: int | None = None
    minContains: int | None = None
    maxProperties: int | None = None
    minProperties: int | None = None
    required: list[str] | None = None
    dependentRequired: dict[str, set[str]] | None = None
    # Format, content and meta-data vocabularies (Validation sections 7-9).
    format: str | None = None
    contentEncoding: str | None = None
    contentMediaType: str | None = None
    contentSchema: SchemaOrBool | None = None
    title: str | None = None
    description: str | None = None
    default: Any | None = None
    deprecated: bool | None = None
    readOnly: bool | None = None
    writeOnly: bool | None = None
    examples: list[Any] | None = None
    # OpenAPI additions (OpenAPI section 4.8.24.3).
    discriminator: Discriminator | None = None
    xml: XML | None = None
    externalDocs: ExternalDocumentation | None = None
    example: Any | None = None  # deprecated by OpenAPI 3.1 in favour of ``examples``


SchemaOrBool = Schema | bool


class Example(TypedDict, total=False):
    """An example value for a parameter or media type (section 4.8.19)."""

    summary: str | None
    description: str | None
    value: Any | None
    externalValue: AnyUrl | None


class ParameterInType(Enum):
    """Where a parameter lives (section 4.8.12.2)."""

    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


class Encoding(BaseModelWithConfig):
    """Encoding of one property of a form body (section 4.8.15)."""

    contentType: str | None = None
    headers: dict[str, Header | Reference] | None = None
    style: str | None = None
    explode: bool | None = None
    allowReserved: bool | None = None


class MediaType(BaseModelWithConfig):
    """Schema and examples for one media type (section 4.8.14)."""

    schema_: Schema | Reference | None = Field(default=None, alias="schema")
    example: Any | None = None
    examples: dict[str, Example | Reference] | None = None
    encoding: dict[str, Encoding] | None = None


class ParameterBase(BaseModelWithConfig):
    """Fields shared by ``Parameter`` and ``Header`` (section 4.8.12)."""

    description: str | None = None
    required: bool | None = None
    deprecated: bool | None = None
    style: str | None = None
    explode: bool | None = None
    allowReserved: bool | None = None
    schema_: Schema | Reference | None = Field(default=None, alias="schema")
    example: Any | None = None
    examples: dict[str, Example | Reference] | None = None
    content: dict[str, MediaType] | None = None


class Parameter(ParameterBase):
    """An operation parameter: name plus location (section 4.8.12)."""

    name: str
    in_: ParameterInType = Field(alias="in")


class Header(ParameterBase):
    """A response or encoding header: a parameter without name/in (section 4.8.21)."""


class RequestBody(BaseModelWithConfig):
    """The request body of an operation (section 4.8.13)."""

    description: str | None = None
    content: dict[str, MediaType]
    required: bool | None = None


class Link(BaseModelWithConfig):
    """A design-time link from a response to another operation (section 4.8.20)."""

    operationRef: str | None = None
    operationId: str | None = None
    parameters: dict[str, Any | str] | None = None
    requestBody: Any | str | None = None
    description: str | None = None
    server: Server | None = None


class Response(BaseModelWithConfig):
    """One response of an operation (section 4.8.17)."""

    description: str
    headers: dict[str, Header | Reference] | None = None
    content: dict[str, MediaType] | None = None
    links: dict[str, Link | Reference] | None = None


class Operation(BaseModelWithConfig):
    """One HTTP method on one path (section 4.8.10)."""

    tags: list[str] | None = None
    summary: str | None = None
    description: str | None = None
    externalDocs: ExternalDocumentation | None = None
    operationId: str | None = None
    parameters: list[Parameter | Reference] | None = None
    requestBody: RequestBody | Reference | None = None
    # Keys are status codes ("200", "4XX") or "default".
    responses: dict[str, Response | Any] | None = None
    callbacks: dict[str, dict[str, PathItem] | Reference] | None = None
    deprecated: bool | None = None
    security: list[dict[str, list[str]]] | None = None
    servers: list[Server] | None = None


class PathItem(BaseModelWithConfig):
    """The operations available on one path (section 4.8.9)."""

    ref: str | None = Field(default=None, alias="$ref")
    summary: str | None = None
    description: str | None = None
    get: Operation | None = None
    put: Operation | None = None
    post: Operation | None = None
    delete: Operation | None = None
    options: Operation | None = None
    head: Operation | None = None
    patch: Operation | None = None
    trace: Operation | None = None
    servers: list[Server] | None = None
    parameters: list[Parameter | Reference] | None = None


class SecuritySchemeType(Enum):
    """The kinds of security scheme (section 4.8.27)."""

    apiKey = "apiKey"
    http = "http"
    oauth2 = "oauth2"
    openIdConnect = "openIdConnect"


class SecurityBase(BaseModelWithConfig):
    """Fields shared by every security scheme (section 4.8.27)."""

    type_: SecuritySchemeType = Field(alias="type")
    description: str | None = None


class APIKeyIn(Enum):
    """Where an API key is sent."""

    query = "query"
    header = "header"
    cookie = "cookie"


class APIKey(SecurityBase):
    """An API key in a query parameter, header or cookie."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.apiKey, alias="type")
    in_: APIKeyIn = Field(alias="in")
    name: str


class HTTPBase(SecurityBase):
    """An HTTP authentication scheme (RFC 9110 section 11), e.g. ``basic``."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.http, alias="type")
    scheme: str


class HTTPBearer(HTTPBase):
    """HTTP Bearer authentication (RFC 6750); ``bearerFormat`` is a hint such as ``JWT``."""

    scheme: Literal["bearer"] = "bearer"
    bearerFormat: str | None = None


class OAuthFlow(BaseModelWithConfig):
    """Fields shared by the OAuth2 flows (section 4.8.29)."""

    refreshUrl: str | None = None
    scopes: dict[str, str] = {}


class OAuthFlowImplicit(OAuthFlow):
    """The OAuth2 implicit flow."""

    authorizationUrl: str


class OAuthFlowPassword(OAuthFlow):
    """The OAuth2 resource owner password flow."""

    tokenUrl: str


class OAuthFlowClientCredentials(OAuthFlow):
    """The OAuth2 client credentials flow."""

    tokenUrl: str


class OAuthFlowAuthorizationCode(OAuthFlow):
    """The OAuth2 authorization code flow."""

    authorizationUrl: str
    tokenUrl: str


class OAuthFlows(BaseModelWithConfig):
    """The OAuth2 flows a scheme supports (section 4.8.28)."""

    implicit: OAuthFlowImplicit | None = None
    password: OAuthFlowPassword | None = None
    clientCredentials: OAuthFlowClientCredentials | None = None
    authorizationCode: OAuthFlowAuthorizationCode | None = None


class OAuth2(SecurityBase):
    """An OAuth2 security scheme (RFC 6749)."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.oauth2, alias="type")
    flows: OAuthFlows


class OpenIdConnect(SecurityBase):
    """An OpenID Connect discovery security scheme."""

    type_: SecuritySchemeType = Field(default=SecuritySchemeType.openIdConnect, alias="type")
    openIdConnectUrl: str


SecurityScheme = APIKey | HTTPBase | OAuth2 | OpenIdConnect | HTTPBearer


class Components(BaseModelWithConfig):
    """Reusable objects referenced from the document (section 4.8.7)."""

    schemas: dict[str, Schema | Reference] | None = None
    responses: dict[str, Response | Reference] | None = None
    parameters: dict[str, Parameter | Reference] | None = None
    examples: dict[str, Example | Reference] | None = None
    requestBodies: dict[str, RequestBody | Reference] | None = None
    headers: dict[str, Header | Reference] | None = None
    securitySchemes: dict[str, SecurityScheme | Reference] | None = None
    links: dict[str, Link | Reference] | None = None
    callbacks: dict[str, dict[str, PathItem] | Reference | Any] | None = None
    pathItems: dict[str, PathItem | Reference] | None = None


class Tag(BaseModelWithConfig):
    """Metadata for one operation tag (section 4.8.22)."""

    name: str
    description: str | None = None
    externalDocs: ExternalDocumentation | None = None


class OpenAPI(BaseModelWithConfig):
    """The root OpenAPI document (section 4.8.1)."""

    openapi: str
    info: Info
    jsonSchemaDialect: str | None = None
    servers: list[Server] | None = None
    # Keys are path templates such as "/items/{item_id}".
    paths: dict[str, PathItem | Any] | None = None
    webhooks: dict[str, PathItem | Reference] | None = None
    components: Components | None = None
    security: list[dict[str, list[str]]] | None = None
    tags: list[Tag] | None = None
    externalDocs: ExternalDocumentation | None = None


# Forward references: Schema and the operation objects are mutually recursive.
for _model in (Schema, Encoding, MediaType, ParameterBase, Parameter, Header, Operation, PathItem):
    _model.model_rebuild()
del _model
