"""The API reference page's content: the OpenAPI schema (the one /api/v1/schema/ serves) read for
people. It is rendered on the server in the site's layout, so the page needs no script, no
third-party style, reads on a phone and by a screen reader, and cannot drift from the schema."""

from __future__ import annotations

import functools
import re

from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from drf_spectacular.generators import SchemaGenerator

from .schema import GENERATION

METHODS = ("get", "post", "put", "patch", "delete")
CODE = re.compile(r"`([^`]+)`")


def text(value: str) -> SafeString:
    """A schema description (CommonMark in OpenAPI) with its `code` spans; nothing else of
    Markdown is used by our descriptions."""
    pieces = CODE.split(value or "")  # text, code, text, …, text
    pairs = zip(pieces[0:-1:2], pieces[1::2], strict=True)
    spans = format_html_join("", "{}<code>{}</code>", pairs)
    return format_html("{}{}", spans, pieces[-1])


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict) -> SafeString:
    """A property's or parameter's type in words, schemas it names linked to their section."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return format_html('<a href="#schema-{}">{}</a>', name, name)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return format_html_join(" | ", "{}", ((type_of(p),) for p in schema[combined]))
    kind = schema.get("type", "")
    if kind == "array":
        return format_html("array of {}", type_of(schema.get("items", {})))
    shown = format_html("{} ({})", kind, schema["format"]) if schema.get("format") else kind
    return format_html("{} | null", shown) if schema.get("nullable") else format_html("{}", shown)


def _body_schema(content: dict) -> tuple[str, SafeString] | None:
    for media, entry in content.items():
        return media, type_of(entry.get("schema", {}))
    return None


def _operation(path: str, method: str, op: dict) -> dict:
    body = op.get("requestBody")
    return {
        "id": op["operationId"],
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary", ""),
        "description": text(op.get("description", "")),
        "parameters": [
            {
                "name": p["name"],
                "where": p["in"],
                "required": p.get("required", False),
                "type": type_of(p.get("schema", {})),
                "description": text(p.get("description", "")),
            }
            for p in op.get("parameters", [])
        ],
        "body": body and _body_schema(body.get("content", {})),
        "responses": [
            {
                "status": status,
                "description": response.get("description", ""),
                "body": _body_schema(response.get("content", {})),
            }
            for status, response in sorted(op.get("responses", {}).items())
        ],
    }


def _component(name: str, schema: dict) -> dict:
    required = set(schema.get("required", []))
    return {
        "name": name,
        "description": text(schema.get("description", "")),
        "enum": [value for value in schema.get("enum", []) if value not in ("", None)],
        "properties": [
            {
                "name": field,
                "type": type_of(spec),
                "required": field in required,
                "read_only": spec.get("readOnly", False),
                "description": text(spec.get("description", "")),
            }
            for field, spec in schema.get("properties", {}).items()
        ],
    }


@functools.cache
def reference() -> dict:
    """Built once per process: the schema is the code's, which a process does not change."""
    with GENERATION, translation.override("en"):
        schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    groups: dict[str, list[dict]] = {}
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                op = item[method]
                tag = (op.get("tags") or ["api"])[0]
                groups.setdefault(tag, []).append(_operation(path, method, op))
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "description": text(schema["info"].get("description", "")),
        "groups": sorted(groups.items()),
        "schemas": [_component(n, spec) for n, spec in schema["components"]["schemas"].items()],
    }
