"""Compares fan-out runs phase by phase against the first run: deliveries/s and server CPU per delivery.

Usage: scaling.py <out.json> <label|label|...> <result.json>...
"""
import json
import sys

out, labels, files = sys.argv[1], sys.argv[2].split("|"), sys.argv[3:]
docs = [json.load(open(f)) for f in files]
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
    print("%-24s %-40s %12.0f deliveries/s (x%.2f)  %6.2f µs CPU/delivery (x%.2f)" % (
        r["run"], r["phase"][:40], r["deliveries_per_s"], r["deliveries_per_s_ratio"] or 0,
        r["server_cpu_us_per_delivery"], r["cpu_per_delivery_ratio"] or 0))
json.dump({"runs": dict(zip(labels, files)), "rows": rows}, open(out, "w"), indent=2)
print("written", out)
