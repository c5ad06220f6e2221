#!/usr/bin/env python3
"""Regenerates src/cc/request_schemas.json: for every operation of CC's v3 swagger document
(build 3.0.172) that takes a JSON body, the body's shape as the document gives it (types,
properties, array items, maxLength, maxItems), without descriptions or examples. The build
embeds the committed file; it never runs this.

usage: tools/gen_request_schemas.py path/to/constant-contact-v3-swagger.yaml > src/cc/request_schemas.json
"""
import json
import sys

import yaml

METHODS = ("get", "post", "put", "patch", "delete")
MAX_DEPTH = 8  # CC's bodies nest four levels at most; a cycle stops here


def shape(node, definitions, depth=0):
    if depth > MAX_DEPTH:
        return {}
    if "$ref" in node:
        return shape(definitions[node["$ref"].split("/")[-1]], definitions, depth + 1)
    if "allOf" in node:
        merged = {"type": "object", "properties": {}}
        for part in node["allOf"]:
            merged["properties"].update(shape(part, definitions, depth + 1).get("properties", {}))
        return merged
    kind = node.get("type") or ("object" if "properties" in node else None)
    out = {"type": kind} if kind else {}
    if kind == "object":
        out["properties"] = {name: shape(child, definitions, depth + 1)
                             for name, child in sorted(node.get("properties", {}).items())}
    elif kind == "array":
        out["items"] = shape(node.get("items", {}), definitions, depth + 1)
        # Several bulk activities document "maxItems: 0" for lists that take hundreds of ids:
        # a slip in the document, not a limit.
        if node.get("maxItems"):
            out["maxItems"] = node["maxItems"]
    elif kind == "string" and "maxLength" in node:
        out["maxLength"] = node["maxLength"]
    return out


def main(path):
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    definitions = doc.get("definitions", {})
    operations = {}
    for ops in doc["paths"].values():
        for method in METHODS:
            op = ops.get(method)
            if not op:
                continue
            for param in op.get("parameters", []):
                if param.get("in") == "body":
                    operations[op["operationId"]] = shape(param["schema"], definitions)
    out = {"generated_by": "tools/gen_request_schemas.py",
           "source": "CC v3 swagger document " + str(doc["info"].get("version", "?")),
           "operations": dict(sorted(operations.items()))}
    print(json.dumps(out, indent=1, sort_keys=False))


if __name__ == "__main__":
    main(sys.argv[1])
