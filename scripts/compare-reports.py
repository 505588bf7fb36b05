#!/usr/bin/env python3
"""Compares two sg17tb report.json files (`sg17tb run --out DIR`): every scenario's verdict and
every value of its entry except wall times and cost.* metrics, which measure the machine rather
than the simulation. Exits 1 on any difference. Usage: compare-reports.py A/report.json B/report.json
(for a change that must not alter results: run the scenarios before and after it)."""
import json, sys

def load(p):
    r = json.load(open(p))
    return {s['id']: s for s in r['scenarios']}

def metrics(s):
    out = {}
    def walk(prefix, v):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(prefix + (k,), x)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(prefix + (str(i),), x)
        else:
            out['/'.join(prefix)] = v
    walk((), s)
    return out

a, b = load(sys.argv[1]), load(sys.argv[2])
bad = 0
if set(a) != set(b):
    print('scenario sets differ:', set(a) ^ set(b)); bad += 1
compared = 0
for sid in sorted(set(a) & set(b)):
    ma, mb = metrics(a[sid]), metrics(b[sid])
    for k in sorted(set(ma) | set(mb)):
        leaf = k.split('/')[-1]
        if any(part.startswith('cost.') for part in k.split('/')) or 'cost' in k.split('/') \
           or leaf in ('wall_ms', 'started', 'finished', 'elapsed_ms', 'cpu_ms'):
            continue
        compared += 1
        if ma.get(k) != mb.get(k):
            bad += 1
            if bad < 40:
                print(f'{sid}: {k}: {ma.get(k)!r} != {mb.get(k)!r}')
print(f'{len(a)} scenarios, {compared} values compared, {bad} differences')
sys.exit(1 if bad else 0)
