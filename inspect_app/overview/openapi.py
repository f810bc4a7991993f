"""The OpenAPI 3.1 description of the read-only API (served at ``/api/v1/openapi.json``).

Written as data next to the routes it describes (:mod:`.api`); ``tests/overview/test_api.py``
checks the document with openapi-spec-validator and every kind of answer against it.
"""
from __future__ import annotations

from ..domain.bureau import DEPARTMENTS
from ..domain.institution import INSTITUTION_TYPES
from .public import INSPECTION_RESULTS, RECTIFICATION, RESULTS

DATE = {"type": "string", "format": "date"}
DECIMAL = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


def _nullable(schema: dict) -> dict:
    return {"anyOf": [schema, {"type": "null"}]}


def _page(item: str) -> dict:
    return {"type": "object", "additionalProperties": False, "required": ["items", "next_cursor"],
            "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
                           "next_cursor": {"type": ["string", "null"],
                                           "description": "Give it as `cursor` for the next page; null: no more."}}}


INSTITUTION = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "name", "credit_code", "type", "district", "street", "address", "beds",
                 "nursing_beds", "operator_type", "status"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "credit_code": {"type": "string", "description": "Unified social credit code (GB 32100-2015)."},
        "type": {"type": "string", "enum": list(INSTITUTION_TYPES)},
        "district": {"type": "string"}, "street": {"type": "string"}, "address": {"type": "string"},
        "beds": {"type": "integer"}, "nursing_beds": {"type": "integer"},
        "operator_type": {"type": "string", "enum": ["public", "private", "public_private"]},
        "status": {"type": "string", "enum": ["operating", "suspended", "closed"]},
    },
}

GRADE_STATES = ["valid", "suspended"]

#: The rating a grade belongs to: GB/T 37276 stars, or the community-centre A-levels.
SCHEME = {"type": "string", "enum": ["star", "a_level"],
          "description": "star: GB/T 37276 star level; a_level: community-centre rating (1A–5A)"}
LEVEL_NAME = _nullable({"type": "string", "description": "The level as written: \"4\" (stars) or \"4A\""})

INSTITUTION_DETAIL = {
    "type": "object", "additionalProperties": False,
    "required": [*INSTITUTION["required"], "grade", "last_inspected_on", "findings", "closed", "on_time", "late",
                 "on_time_rate"],
    "properties": {
        **INSTITUTION["properties"],
        "grade": _nullable({"type": "object", "additionalProperties": False,
                            "required": ["level", "state", "effective_on", "expires_on", "scheme", "level_name"],
                            "properties": {"level": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
                                           "scheme": SCHEME, "level_name": LEVEL_NAME,
                                           "state": {"type": "string", "enum": GRADE_STATES},
                                           "effective_on": DATE, "expires_on": DATE}}),
        "last_inspected_on": _nullable(DATE),
        "findings": {"type": "object", "additionalProperties": False, "required": ["critical", "major", "minor"],
                     "properties": {s: {"type": "integer", "minimum": 0} for s in ("critical", "major", "minor")}},
        "closed": {"type": "integer", "minimum": 0},
        "on_time": {"type": "integer", "minimum": 0},
        "late": {"type": "integer", "minimum": 0},
        "on_time_rate": _nullable(DECIMAL),
    },
}

GRADE = {
    "type": "object", "additionalProperties": False,
    "required": ["id", "institution_id", "institution_name", "credit_code", "district", "type", "level",
                 "total", "effective_on", "expires_on", "state", "scheme", "level_name"],
    "properties": {
        "scheme": SCHEME, "level_name": LEVEL_NAME,
        "id": {"type": "integer"}, "institution_id": {"type": "integer"},
        "institution_name": {"type": "string"}, "credit_code": {"type": "string"},
        "district": {"type": "string"}, "type": {"type": "string", "enum": list(INSTITUTION_TYPES)},
        "level": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
        "total": DECIMAL, "effective_on": DATE, "expires_on": DATE,
        "state": {"type": "string", "enum": GRADE_STATES},
    },
}


def _result_schema() -> dict:
    kinds = {"integer": {"type": "integer"}, "date": DATE, "text": {"type": "string"}, "code": {"type": "string"}}
    properties = {}
    for column in INSPECTION_RESULTS.columns:
        prop = dict(kinds[column.kind])
        if column.codes:
            prop["enum"] = list(column.codes)
        prop["description"] = column.description
        properties[column.key] = prop
    properties["departments"] = {"type": "array", "items": {"type": "string", "enum": list(DEPARTMENTS)},
                                 "description": "every department of the (joint) visit"}
    properties["institution_id"] = {"type": "integer"}
    properties["result"]["enum"] = list(RESULTS)
    properties["rectification"]["enum"] = list(RECTIFICATION)
    return {"type": "object", "additionalProperties": False, "required": list(properties), "properties": properties}


def _parameter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


PAGING = [
    _parameter("limit", "Items per page (default 50).", {"type": "integer", "minimum": 1, "maximum": 200}),
    _parameter("cursor", "The `next_cursor` of the previous page.", {"type": "string"}),
]
DISTRICT = _parameter("district", "A district's name.", {"type": "string", "maxLength": 40})
TYPE = _parameter("type", "An institution type code.", {"type": "string", "enum": list(INSTITUTION_TYPES)})


def _responses(schema_ref: str, not_found: bool = False) -> dict:
    out = {
        "200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": schema_ref}}}},
        "400": {"description": "A parameter could not be read.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        "429": {"description": "Too many requests from this address; try again after `Retry-After` seconds.",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    }
    if not_found:
        out["404"] = {"description": "No such institution.",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return out


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CareInspect public data API",
            "version": "1.0.0",
            "description": "Read-only public data on elderly-care institutions: the registry's public fields, "
                           "the current star grades and the published inspection results. No personal data. "
                           "Paged by cursor (ascending id) and rate limited per client address.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/institutions": {"get": {
                "operationId": "listInstitutions", "summary": "Institutions of the registry",
                "parameters": [*PAGING, DISTRICT, TYPE],
                "responses": _responses("#/components/schemas/InstitutionPage")}},
            "/institutions/{institution_id}": {"get": {
                "operationId": "getInstitution",
                "summary": "One institution with its grade and its published inspection figures",
                "parameters": [{"name": "institution_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": _responses("#/components/schemas/InstitutionDetail", not_found=True)}},
            "/grades": {"get": {
                "operationId": "listGrades", "summary": "Current grades: GB/T 37276 stars and community-centre A-levels",
                "parameters": [*PAGING, DISTRICT,
                               _parameter("level", "A level, 1 to 5 (of the stars unless scheme is a_level).",
                                          {"type": "string", "enum": ["1", "2", "3", "4", "5"]}),
                               _parameter("scheme", "The rating: star or a_level.",
                                          {"type": "string", "enum": ["star", "a_level"]})],
                "responses": _responses("#/components/schemas/GradePage")}},
            "/inspection-results": {"get": {
                "operationId": "listInspectionResults", "summary": "Published inspection results (一公开)",
                "parameters": [*PAGING, DISTRICT, TYPE,
                               _parameter("department", "A department code.", {"type": "string", "enum": list(DEPARTMENTS)}),
                               _parameter("institution_id", "One institution.", {"type": "integer"}),
                               _parameter("since", "Inspections submitted on or after this day.", DATE)],
                "responses": _responses("#/components/schemas/InspectionResultPage")}},
        },
        "components": {"schemas": {
            "Institution": INSTITUTION,
            "InstitutionDetail": INSTITUTION_DETAIL,
            "InstitutionPage": _page("Institution"),
            "Grade": GRADE,
            "GradePage": _page("Grade"),
            "InspectionResult": _result_schema(),
            "InspectionResultPage": _page("InspectionResult"),
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["message"],
                "properties": {"message": {"type": "string"}, "parameter": {"type": "string"}}}}},
        }},
    }
