#!/usr/bin/env python3
"""Renders docs/crd-reference.md from the committed CRD (crds/denseclruns.densecl.io-v1.yml).

Field descriptions come from the Javadoc of the CR classes, through the CRD generator; a test in the
operator module keeps the CRD in sync with the build, and this script keeps the reference in sync
with the CRD: run `python3 docs/gen-crd-reference.py` after changing the API.
"""
import sys
import yaml  # PyYAML (Debian python3-yaml)

def walk(props, prefix, required, rows):
    for name, p in props.items():
        path = f"{prefix}.{name}" if prefix else name
        typ = p.get("type", "object")
        if typ == "array":
            item = p.get("items", {})
            typ = f"[]{item.get('type', 'object')}"
        default = p.get("default")
        desc = " ".join(str(p.get("description", "")).split())
        enum = p.get("enum")
        if enum:
            desc += f" One of: {', '.join(map(str, enum))}."
        for k in ("minimum", "maximum"):
            if k in p:
                desc += f" {k}: {p[k]}."
        rows.append((path, typ, "" if default is None else f"`{default}`", "yes" if name in required else "", desc))
        if "properties" in p:
            walk(p["properties"], path, p.get("required", []), rows)
        elif typ == "[]object" and "properties" in p.get("items", {}):
            walk(p["items"]["properties"], path + "[]", p["items"].get("required", []), rows)

def main(src, dst):
    crd = yaml.safe_load(open(src))
    version = crd["spec"]["versions"][0]
    schema = version["schema"]["openAPIV3Schema"]
    out = [f"# {crd['spec']['names']['kind']} reference ({crd['spec']['group']}/{version['name']})", "",
           "Generated from `crds/denseclruns.densecl.io-v1.yml` by `docs/gen-crd-reference.py`; do not edit.", ""]
    for section in ("spec", "status"):
        rows = []
        walk(schema["properties"][section]["properties"], section, schema["properties"][section].get("required", []), rows)
        out += [f"## {section}", "", "| field | type | default | required | description |", "|---|---|---|---|---|"]
        out += [f"| `{r[0]}` | {r[1]} | {r[2]} | {r[3]} | {r[4]} |" for r in rows]
        out.append("")
    rules = []
    def collect(node, path):
        if isinstance(node, dict):
            for r in node.get("x-kubernetes-validations", []):
                rules.append((path or "(root)", r.get("rule"), r.get("message", "")))
            for k, v in node.get("properties", {}).items():
                collect(v, f"{path}.{k}" if path else k)
    collect(schema, "")
    out += ["## Validation rules (CEL)", "", "| on | rule | message |", "|---|---|---|"]
    out += [f"| `{p}` | `{r}` | {m} |" for p, r, m in rules]
    cols = version.get("additionalPrinterColumns", [])
    out += ["", "## Printer columns (`kubectl get dcl`)", "", "| column | JSON path |", "|---|---|"]
    out += [f"| {c['name']} | `{c['jsonPath']}` |" for c in cols]
    open(dst, "w").write("\n".join(out) + "\n")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "crds/denseclruns.densecl.io-v1.yml",
         sys.argv[2] if len(sys.argv) > 2 else "docs/crd-reference.md")
