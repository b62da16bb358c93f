#!/usr/bin/env bash
# The blocked product's shapes on the matrix units, in one device call: BlockedProductSweep (each shape's TFLOPS on
# the 14B's layer products at 512, 64, 32 and 16 outputs, Q4_K and Q6_K, and its error against the CPU), then the best
# shape at each output count by their mean, written to $OUT/best512, $OUT/best64 and so on. SPECS: the shapes to time
# (BMxBNxBK[s1|s2][h|f]; default: the sweep's own set). Needs gpu_session.sh setup (carry .gpurun and .gputest).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/hearth-gpu}
home=/tmp/hearth-run
mkdir -p "$out"
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && \
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
cp=$(ls "$home"/test/*.jar "$home"/lib/hearth-core*.jar "$home"/lib/hearth-gpu*.jar "$home"/lib/lwjgl*.jar | tr '\n' ':')
/tmp/hearth-jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$cp" \
    dev.hearth.gpu.BlockedProductSweep ${SPECS:-} 2>&1 | grep --line-buffered -v '^WARNING' | tee "$out/sweep.txt"
python3 - "$out" <<'PY'
import re, sys, collections
out = sys.argv[1]
sums = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(f"{out}/sweep.txt"):
    m = re.search(r"(\d+) out:(.*)", line)
    if not m:
        continue
    tokens = m.group(2).split()
    i = 0
    while i + 1 < len(tokens):
        spec, tf = tokens[i], float(tokens[i + 1])
        wrong = i + 2 < len(tokens) and tokens[i + 2].startswith("WRONG")
        i += 3 if wrong else 2
        if "/a" not in spec:  # the ablations time a broken product on purpose
            sums[int(m.group(1))][spec].append(0.0 if wrong else tf)
for n, d in sorted(sums.items(), reverse=True):
    ranked = sorted(d.items(), key=lambda kv: -sum(kv[1]) / len(kv[1]))
    print(f"mean TFLOPS at {n} outputs: " + ", ".join(f"{k} {sum(v) / len(v):.1f}" for k, v in ranked))
    if ranked:
        open(f"{out}/best{n}", "w").write(ranked[0][0])
PY
