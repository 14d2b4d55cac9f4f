#!/usr/bin/env python3
"""Compare shipgate's model events with the reference smithy-diff's, as multisets of
(path, severity, subject, full id), for one pair.

Usage: compare.py REPO BASE HEAD REF.tsv [--bin PATH] [--show N]
REF.tsv is gitpair.sh's output for the same pair. shipgate's model events are the findings of
`shipgate diff --format json` whose path is a model in its `models` list (release rules left out).
Prints: PAIR ref=N ours=M matched=K only_ref=A only_ours=B, then the differences by id.
"""
import collections, json, subprocess, sys

def ref_events(path):
    out = collections.Counter()
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        p, sev, shape, eid = line.rstrip("\n").split("\t")[:4]
        out[(p, sev.lower(), "" if shape == "-" else shape, eid)] += 1
    return out

def our_events(repo, base, head, binary):
    r = subprocess.run([binary, "diff", "--repo", repo, "--base", base, "--head", head, "--format", "json"],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        sys.exit(f"shipgate failed: {r.stderr}")
    d = json.loads(r.stdout)
    models = {m["path"] for m in d["models"]}
    out = collections.Counter()
    msgs = {}
    for f in d["findings"]:
        if f.get("path") in models or f["rule"] == "InvalidModel":
            k = (f.get("path") or "", f["severity"], f.get("subject") or "", f["id"])
            out[k] += 1
            msgs[k] = f["message"][:100]
    return out, msgs

def main():
    args = sys.argv[1:]
    binary = "/work/wt/parity/target/release/shipgate"
    show = 15
    if "--bin" in args:
        i = args.index("--bin"); binary = args[i + 1]; del args[i:i + 2]
    if "--show" in args:
        i = args.index("--show"); show = int(args[i + 1]); del args[i:i + 2]
    repo, base, head, ref = args
    want = ref_events(ref)
    got, msgs = our_events(repo, base, head, binary)
    only_ref = want - got
    only_ours = got - want
    matched = sum((want & got).values())
    print(f"{base}..{head} ref={sum(want.values())} ours={sum(got.values())} matched={matched} "
          f"only_ref={sum(only_ref.values())} only_ours={sum(only_ours.values())}")
    for name, diff in (("only in reference", only_ref), ("only in shipgate", only_ours)):
        if not diff:
            continue
        by_id = collections.Counter()
        for (p, s, sub, eid), n in diff.items():
            by_id[(eid.split(".")[0], s)] += n
        print(f"  {name}: " + ", ".join(f"{i}/{s}:{n}" for (i, s), n in sorted(by_id.items())))
        for k in sorted(diff)[:show]:
            print("    ", "\t".join(k), "\t", msgs.get(k, ""))

main()
