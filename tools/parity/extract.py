#!/usr/bin/env python3
"""Cut a small real model pair out of two big ones: the given root shapes and every shape they
reference (members' targets, operation input/output/errors, resource bindings), on both sides;
metadata kept. Usage: extract.py OLD NEW OUTDIR ROOT... (writes OUTDIR/old.json, OUTDIR/new.json)"""
import json, sys, os
old_p, new_p, out = sys.argv[1:4]; roots = sys.argv[4:]
old, new = json.load(open(old_p)), json.load(open(new_p))
def refs(s):
    r = []
    for k in ("member", "key", "value"):
        if k in s: r.append(s[k]["target"])
    for m in s.get("members", {}).values(): r.append(m["target"])
    for k in ("input", "output"):
        if k in s: r.append(s[k]["target"])
    for k in ("errors", "operations", "resources", "collectionOperations", "mixins"):
        r += [x["target"] for x in s.get(k, [])]
    for k in ("create", "put", "read", "update", "delete", "list"):
        if k in s: r.append(s[k]["target"])
    for k in ("identifiers", "properties"):
        r += [x["target"] for x in s.get(k, {}).values()]
    return r
keep = set()
stack = list(roots)
while stack:
    i = stack.pop()
    if i in keep: continue
    keep.add(i)
    for m in (old, new):
        s = m["shapes"].get(i)
        if s: stack += refs(s)
os.makedirs(out, exist_ok=True)
for name, m in (("old.json", old), ("new.json", new)):
    o = {k: v for k, v in m.items() if k != "shapes"}
    o["shapes"] = {k: v for k, v in m["shapes"].items() if k in keep}
    json.dump(o, open(os.path.join(out, name), "w"), indent=4, ensure_ascii=False)
    open(os.path.join(out, name), "a").write("\n")
print(out, len(keep), "shapes")
