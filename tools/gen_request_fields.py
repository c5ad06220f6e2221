#!/usr/bin/env python3
"""Regenerates tests/sandbox/robustness/request_fields.json: every request-body field of every
CC v3 operation that takes a body, from CC's own swagger document (the document the operation
table src/cc/cc_operations.inc comes from). The robustness test reads it to send each field as
each wrong JSON type, as an over-long string and with control characters. The build never runs
this: the generated file is committed.

A field's path names where it sits in the body: `email_address.address` is a property of an
object, `street_addresses[].city` a property of each element of an array, `list_ids[]` an array's
element itself; the empty path is the body as a whole. JSON bodies (`in: body`) resolve $ref and
allOf; multipart forms (`in: formData`) list their form fields.

usage: tools/gen_request_fields.py path/to/constant-contact-v3-swagger.yaml \
         > tests/sandbox/robustness/request_fields.json
"""
import json
import sys

import yaml

METHODS = ("get", "post", "put", "patch", "delete")
# Documented limits a field may carry, under the names the data file uses.
LIMITS = (("maxLength", "max_length"), ("minLength", "min_length"), ("maxItems", "max_items"),
          ("minimum", "minimum"), ("maximum", "maximum"), ("format", "format"), ("enum", "enum"))


class Schemas:
    def __init__(self, doc):
        self.definitions = doc.get("definitions", {})

    def resolve(self, schema, seen=()):
        """The schema with its $ref followed and its allOf parts merged into one object schema."""
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in seen:  # a recursive definition: stop rather than loop
                return {"type": "object", "properties": {}}, seen
            seen = seen + (name,)
            schema = {**self.definitions[name], **{k: v for k, v in schema.items() if k != "$ref"}}
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            merged.setdefault("type", "object")
            properties, required = dict(merged.get("properties", {})), list(merged.get("required", []))
            for part in schema["allOf"]:
                part, _ = self.resolve(part, seen)
                properties.update(part.get("properties", {}))
                required += [r for r in part.get("required", []) if r not in required]
            merged["properties"], merged["required"] = properties, required
            schema = merged
        return schema, seen

    def fields(self, schema, path="", required=False, seen=(), out=None):
        """Every field under `schema`, depth first, the field itself before what it contains."""
        out = [] if out is None else out
        schema, seen = self.resolve(schema, seen)
        kind = schema.get("type") or ("object" if "properties" in schema else "array" if "items" in schema else "")
        field = {"path": path, "type": kind or "any"}
        if required:
            field["required"] = True
        if schema.get("readOnly"):
            field["read_only"] = True
        for key, name in LIMITS:
            if key in schema:
                field[name] = schema[key]
        out.append(field)
        if kind == "object":
            needed = set(schema.get("required", []))
            for name, sub in schema.get("properties", {}).items():
                self.fields(sub, f"{path}.{name}" if path else name, name in needed, seen, out)
        elif kind == "array" and "items" in schema:
            self.fields(schema["items"], path + "[]", False, seen, out)
        return out


def form_fields(params):
    out = []
    for p in params:
        field = {"path": p["name"], "type": p.get("type", "string")}
        if p.get("required"):
            field["required"] = True
        for key, name in LIMITS:
            if key in p:
                field[name] = p[key]
        if "items" in p:
            field["items_type"] = p["items"].get("type", "string")
        out.append(field)
    return out


def dump(out):
    """Pretty JSON with one field per line, so a regenerated file diffs by field."""
    lines = ["{"]
    for key in ("generated", "document_version"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(out[key], ensure_ascii=False)},")
    lines.append('  "operations": [')
    for i, op in enumerate(out["operations"]):
        head = ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in op.items() if k != "fields")
        lines.append(f"    {{{head}, \"fields\": [")
        rows = [f"      {json.dumps(f, ensure_ascii=False)}" for f in op["fields"]]
        lines.append(",\n".join(rows))
        lines.append("    ]}" + ("," if i + 1 < len(out["operations"]) else ""))
    lines += ["  ]", "}"]
    return "\n".join(lines)


def main(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    schemas = Schemas(doc)
    base = doc.get("basePath", "/v3")
    operations = []
    for p, ops in doc["paths"].items():
        shared = ops.get("parameters", [])
        for method in METHODS:
            op = ops.get(method)
            if not op:
                continue
            params = shared + op.get("parameters", [])
            body = [x for x in params if x.get("in") == "body"]
            form = [x for x in params if x.get("in") == "formData"]
            if not body and not form:
                continue
            entry = {"operation_id": op["operationId"], "method": method.upper(), "path": base + p}
            if body:
                entry["content_type"] = "application/json"
                entry["fields"] = schemas.fields(body[0]["schema"], required=bool(body[0].get("required")))
            else:
                entry["content_type"] = "multipart/form-data"
                entry["fields"] = form_fields(form)
            operations.append(entry)
    out = {
        "generated": "by tools/gen_request_fields.py from CC's v3 swagger document "
                     f"({doc['info'].get('version', '?')}); do not edit by hand",
        "document_version": doc["info"].get("version", "?"),
        "operations": operations,
    }
    print(dump(out))


if __name__ == "__main__":
    main(sys.argv[1])
