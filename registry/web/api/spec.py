"""What each API route accepts, declared next to its view, and the OpenAPI 3 document built from them."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apispec import APISpec
from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from registry.catalog.models import AwardLevel
from registry.entries.models import EntryKind
from registry.showcase.filters import SORTS

API_VERSION = "1.0.0"
# The order in which the API page presents its endpoints.
TAGS = ("entries", "awards", "search", "catalogues", "about")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Param:
    """One query or path parameter."""

    name: str
    description: Any
    type: str = "string"
    enum: tuple[str, ...] | None = None
    example: Any = None

    def to_openapi(self, where: str = "query") -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type}
        if self.enum:
            schema["enum"] = list(self.enum)
        data = {"name": self.name, "in": where, "description": str(self.description), "schema": schema}
        if where == "path":
            data["required"] = True
        if self.example is not None:
            data["example"] = self.example
        return data


@dataclass(frozen=True)
class RouteDoc:
    """The documentation of one GET route."""

    summary: Any
    description: Any
    example: str
    params: tuple[Param, ...] = ()
    schema: str | None = None
    exports: bool = False
    tag: str = "about"
    path_params: dict[str, str] = field(default_factory=dict)

    def query_names(self) -> frozenset[str]:
        """The query arguments that can change this route's answer: its own and the language."""
        return frozenset(p.name for p in self.params) | {"lang"}


FILTERS = (
    Param("kind", _l("Entry kind."), enum=tuple(k.value for k in EntryKind)),
    Param("year", _l("Year of the deed or recognition."), "integer", example=2021),
    Param("unit", _l("Unit id; entries of its sub-units and of units merged into it count too."), "integer"),
    Param("topic", _l("Topic slug (see /api/v1/topics)."), example="an-sinh-xa-hoi"),
    Param("award", _l("Award title slug (see /api/v1/award-titles); revoked awards do not count.")),
    Param("level", _l("Award level."), enum=tuple(lv.value for lv in AwardLevel)),
)
PAGING = (
    Param("page", _l("Page number, from 1."), "integer", example=1),
    Param("per_page", _l("Results per page, 1 to 100 (default 24)."), "integer", example=24),
)
SORT = Param("sort", _l("Order: newest published first, or by name."), enum=SORTS)
FORMAT = Param(
    "format", _l("json (default), or a download of the whole result: csv (UTF-8 with BOM, for Excel) "
                 "or jsonl (the import format)."),
    enum=("json", "csv", "jsonl"),
)


def export_limit_note() -> str:
    """The sentence that states the cap on downloads."""
    limit = current_app.config["EXPORT_MAX_ROWS"]
    return _("Downloads hold at most %(limit)s entries; X-Total-Count tells how many matched.", limit=format_decimal(limit))


def documented(**kwargs: Any) -> Callable:
    """Attach a RouteDoc to a view, for the OpenAPI document and the API page."""
    doc = RouteDoc(**kwargs)

    def decorate(view: Callable) -> Callable:
        view.api_doc = doc  # type: ignore[attr-defined]
        return view

    return decorate


@dataclass
class DocumentedRoute:
    path: str
    endpoint: str
    doc: RouteDoc
    path_params: list[Param]


def api_routes() -> list[DocumentedRoute]:
    """Every GET route of the API blueprint with its documentation, in path order."""
    routes = []
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or "GET" not in (rule.methods or ()):
            continue
        view = current_app.view_functions[rule.endpoint]
        doc = getattr(view, "api_doc", None) or RouteDoc(
            summary=(view.__doc__ or rule.endpoint).strip().splitlines()[0], description="", example=rule.rule,
        )
        path_params = [
            Param(name, doc.path_params.get(name, name), "integer" if conv == "int" else "string")
            for conv, name in _CONVERTER.findall(rule.rule)
        ]
        routes.append(DocumentedRoute(_CONVERTER.sub(r"{\2}", rule.rule), rule.endpoint, doc, path_params))
    return sorted(routes, key=lambda r: (TAGS.index(r.doc.tag) if r.doc.tag in TAGS else len(TAGS), r.path))


_ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "integer"}, "message": {"type": "string"}}}},
}
_LINKS = {"type": "object", "properties": {k: {"type": "string", "nullable": True} for k in
                                          ("self", "first", "last", "prev", "next")}}
_UNIT_BRIEF = {"type": "object", "nullable": True, "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "api_url": {"type": "string"}}}
_AWARD = {"type": "object", "properties": {
    "id": {"type": "integer"},
    "title": {"type": "object", "properties": {k: {"type": "string", "nullable": True} for k in ("slug", "name", "name_en")}},
    "level": {"type": "string", "enum": [lv.value for lv in AwardLevel]},
    "year": {"type": "integer"}, "kind": {"type": "string"},
    "decision_number": {"type": "string", "nullable": True},
    "decision_date": {"type": "string", "format": "date", "nullable": True},
    "issuer": _UNIT_BRIEF,
    "signer": {"type": "string", "nullable": True}, "signer_position": {"type": "string", "nullable": True},
    "revoked": {"type": "boolean"},
    "revocation": {"type": "object", "nullable": True, "properties": {
        "date": {"type": "string", "format": "date"}, "decision_number": {"type": "string", "nullable": True},
        "reason": {"type": "string"}}},
    "verification_code": {"type": "string", "nullable": True,
                          "description": "printed on the certificate; checked at verification_url"},
    "verification_url": {"type": "string", "nullable": True},
    "decision_record": {"type": "object", "nullable": True, "description":
                        "how the award was given (entry detail only): the vote in numbers, never names",
                        "properties": {
                            "vote": {"type": "object", "nullable": True},
                            "ballot": {"type": "string", "nullable": True, "enum": ["secret", "open", None]},
                            "consultation_comments": {"type": "integer", "nullable": True}}},
}}
_ENTRY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "ref": {"type": "string", "nullable": True},
    "kind": {"type": "string", "enum": [k.value for k in EntryKind]},
    "title": {"type": "string"}, "year": {"type": "integer", "nullable": True}, "summary": {"type": "string"},
    "unit": {"type": "object", "nullable": True, "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "path": {"type": "array", "items": {"type": "string"}}}},
    "topics": {"type": "array", "items": {"type": "object"}},
    "awards": {"type": "array", "items": {"$ref": "#/components/schemas/Award"}},
    "photos": {"type": "array", "items": {"type": "object"}},
    "published_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
    "url": {"type": "string"}, "api_url": {"type": "string"},
    "body": {"type": "string", "description": "Detail only: the story in Markdown."},
    "replications": {"type": "array", "items": {"type": "object"}, "description": "Detail only."},
}}


def _page_of(ref: str) -> dict[str, Any]:
    return {"type": "object", "properties": {
        "total": {"type": "integer"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "pages": {"type": "integer"}, "links": {"$ref": "#/components/schemas/Links"},
        "results": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}},
    }}


def openapi_document(*, server_url: str) -> dict[str, Any]:
    """Build the OpenAPI 3 document of the API from the routes and their declarations."""
    spec = APISpec(
        title="Registry of exemplary people and model initiatives: open data API",
        version=API_VERSION,
        openapi_version="3.0.3",
        info={"description": "Read-only access to published entries, units, topics and awards. "
                             "Answers carry ETag and Last-Modified; CORS is open to every origin."},
        servers=[{"url": server_url}],
    )
    for name, schema in (("Error", _ERROR), ("Links", _LINKS), ("Award", _AWARD), ("Entry", _ENTRY),
                         ("EntryPage", _page_of("Entry")), ("AwardPage", _page_of("Award"))):
        spec.components.schema(name, schema)
    error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for route in api_routes():
        doc = route.doc
        content: dict[str, Any] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{doc.schema}"}
                                                        if doc.schema else {"type": "object"}}}
        if doc.exports:
            content["text/csv"] = {"schema": {"type": "string"}}
            content["application/x-ndjson"] = {"schema": {"type": "string"}}
        responses: dict[str, Any] = {
            "200": {"description": "OK", "content": content},
            "304": {"description": "Not modified since the ETag or date the client sent"},
            "429": error,
        }
        if route.path_params:
            responses["404"] = error
        description = str(doc.description)
        if doc.exports:
            description += " " + export_limit_note()
        operation = {
            "operationId": route.endpoint.replace(".", "_"),
            "summary": str(doc.summary),
            "description": description,
            "tags": [doc.tag],
            "parameters": [p.to_openapi("path") for p in route.path_params] + [p.to_openapi() for p in doc.params],
            "responses": responses,
        }
        spec.path(path=route.path, operations={"get": operation})
    return spec.to_dict()
