#!/usr/bin/env python3
"""Device logits next to the CPU's: for each *-cpu.txt (hearth logits JSON lines) and its *-vulkan.txt twin, the
largest |difference| over the ids both top lists hold, how many of the CPU's top ids the device also ranks in its
top list, and whether the argmax agrees at every position."""
import json, sys

def read(path):
    rows = []
    for line in open(path):
        line = line.strip()
        if line.startswith('{'):
            rows.append({t['id']: t['logit'] for t in json.loads(line)['top']} | {'_order': [t['id'] for t in json.loads(line)['top']]})
    return rows

for cpu_path in sys.argv[1:]:
    dev_path = cpu_path.replace('-cpu.txt', '-vulkan.txt')
    cpu, dev = read(cpu_path), read(dev_path)
    if not cpu or len(cpu) != len(dev):
        print(f'{cpu_path}: positions cpu {len(cpu)} vs device {len(dev)}: FAILED')
        continue
    worst, overlap, argmax = 0.0, 0, 0
    total = 0
    for c, d in zip(cpu, dev):
        shared = [i for i in c['_order'] if i in d]
        worst = max([worst] + [abs(c[i] - d[i]) for i in shared])
        overlap += len(shared); total += len(c['_order'])
        argmax += c['_order'][0] == d['_order'][0]
    print(f"{cpu_path.rsplit('/', 1)[-1][:-8]:24s} positions {len(cpu)}  top ids shared {overlap}/{total}  "
          f"argmax equal {argmax}/{len(cpu)}  max |cpu - device| {worst:.3g}")
