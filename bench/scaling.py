"""Compares runs of one workload phase by phase against the first run: deliveries/s and server CPU per delivery.

Usage: scaling.py <out.json> <label|label|...> <result.json>...
"""
import json
import sys

out, labels, files = sys.argv[1], sys.argv[2].split("|"), sys.argv[3:]
docs = [json.load(open(f)) for f in files]


def name(p):
    """Fan-out phases carry their name; latency phases are named by what they vary."""
    if "phase" in p:
        return p["phase"]
    return "%s %s, %d subscribers, RLS %s, %.0f/s" % (
        p.get("contender"), p.get("transport", ""), p.get("subscribers", 0),
        "on" if p.get("rls") else "off", p.get("offered_commits_per_s", 0))


for doc in docs:
    doc["phases"] = [dict(p, phase=name(p)) for p in doc["phases"] if "server_cpu_us_per_delivery" in p]
base = {p["phase"]: p for p in docs[0]["phases"]}
rows = []
for label, path, doc in zip(labels, files, docs):
    for p in doc["phases"]:
        b = base.get(p["phase"])
        rows.append({
            "run": label, "file": path, "phase": p["phase"],
            "deliveries_per_s": p["deliveries_per_s"],
            "server_cpu_us_per_delivery": p["server_cpu_us_per_delivery"],
            "deliveries_per_s_ratio": p["deliveries_per_s"] / b["deliveries_per_s"] if b else None,
            "cpu_per_delivery_ratio": p["server_cpu_us_per_delivery"] / b["server_cpu_us_per_delivery"] if b else None,
        })
for r in rows:
    print("%-12s %-60s %10.0f deliveries/s (x%.2f)  %6.2f µs CPU/delivery (x%.2f)" % (
        r["run"], r["phase"][:60], r["deliveries_per_s"], r["deliveries_per_s_ratio"] or 0,
        r["server_cpu_us_per_delivery"], r["cpu_per_delivery_ratio"] or 0))
# Fan-out's connect+join of each phase (the first one is right after the server started: cold).
connects = []
for label, doc in zip(labels, docs):
    for key, c in doc.items():
        if key.startswith("connect_") and isinstance(c, dict) and "connect_join_per_s" in c:
            b = docs[0].get(key)
            connects.append({
                "run": label, "phase": key, "connect_join_per_s": c["connect_join_per_s"],
                "connect_to_join_p99_ms": c["connect_to_join_ms"]["p99"],
                "connect_join_per_s_ratio": c["connect_join_per_s"] / b["connect_join_per_s"] if b else None,
            })
for r in connects:
    print("%-12s %-60s %10.0f joins/s (x%.2f)  p99 %8.1f ms" % (
        r["run"], r["phase"][:60], r["connect_join_per_s"], r["connect_join_per_s_ratio"] or 0,
        r["connect_to_join_p99_ms"]))
json.dump({"runs": dict(zip(labels, files)), "rows": rows, "connects": connects}, open(out, "w"), indent=2)
print("written", out)
