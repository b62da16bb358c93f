#!/usr/bin/env bash
# Issue 18's figures in one device call (under 8 minutes): for the 1B, 8B, 14B Q4_K_M and 14B Q4_0 shapes, pp512 and
# tg128 at batch 1, then decode at 16 and 64 sequences, each decode figure beside the roofline that `hearth bench`
# measures in the same process (weights bytes / our copy shader's bandwidth). Then a table: tokens/s, the ceiling,
# and % of roofline (for b sequences: tokens/s / b against the one-stream ceiling, as each step reads the weights
# once for all of them).
#   here:   mvn -B -DskipTests package && bash bench/scripts/gpu_bundle.sh && bash bench/scripts/gpu_testbundle.sh
#   there:  bash bench/scripts/gpu_speed.sh          (carry .gpurun and .gputest; runs gpu_session.sh setup when the
#           runtime is not unpacked yet, and synth for a missing model: on a bare machine synth alone takes minutes,
#           so run `gpu_session.sh synth` in its own call first)
# MODELS="1b 8b" picks the shapes (default: all four). Each bench runs under a timeout so that one slow shape cannot eat the others' time; what it printed still counts.
# Output: stdout and $OUT/speed.txt when OUT is set.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/hearth-gpu}
home=${RUN:-/tmp/hearth-run}  # RUN: another unpacked build (a before/after pair)
java=/tmp/hearth-jre/bin/java
mkdir -p "$out"
[ -x "$java" ] && [ -f "$home/hearth-server.jar" ] || bash bench/scripts/gpu_session.sh setup >/dev/null
source bench/scripts/gpu_models.sh
need_models ${MODELS:-1b 8b 14b 14b-q4_0} || exit 1
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && \
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
# GPU_JAVA_OPTS: more JVM options, e.g. kernel tuning switches (-Dhearth.gpu.matvec.rows=4)
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
    ${GPU_JAVA_OPTS:-} -XX:+UseG1GC -Xmx24g -jar "$home/hearth-server.jar" bench)
log="$out/speed.txt"
: > "$log"
bench() {  # MODEL SECONDS ARGS..
    local m=$1 s=$2
    shift 2
    echo "== $m $*" | tee -a "$log"
    timeout "$s" "$java" "${flags[@]}" /tmp/models/$m.gguf --device vulkan --gpu-layers all --kv f16 "$@" 2>&1 \
        | grep --line-buffered -v '^WARNING' | tee -a "$log"
    echo "exit: ${PIPESTATUS[0]}" | tee -a "$log"   # 124: cut by the timeout (its printed rows still count)
}
start=$(date +%s)
for m in ${MODELS:-1b 8b 14b 14b-q4_0}; do
    bench $m 70 -p 512 -n 128 -b 1 -r 2
    bench $m 45 -p 0 -n 32 -b 16,64 -r 1
done
echo "total: $(( $(date +%s) - start )) s" | tee -a "$log"
python3 - "$log" <<'PY' | tee -a "$log"
import re, sys
model, ceiling, rows = None, None, []
for line in open(sys.argv[1]):
    if line.startswith("== "):
        model = line.split()[1]
    m = re.search(r"memory bandwidth: ([\d.]+) GB/s, decode ceiling: ([\d.]+) tokens/s", line)
    if m:
        ceiling = (float(m.group(1)), float(m.group(2)))
    m = re.match(r"(pp\d+|tg\d+)\s+(\d+)\s+([\d.]+)", line)
    if m and ceiling:
        rows.append((model, m.group(1), int(m.group(2)), float(m.group(3)), ceiling))
print(f"{'model':9} {'test':6} {'batch':>5} {'tokens/s':>10} {'GB/s':>7} {'ceiling':>8} {'% roofline':>10}")
for model, test, b, tps, (gbs, ceil) in rows:
    pct = f"{100 * tps / b / ceil:9.1f}%" if test.startswith("tg") else ""
    print(f"{model:9} {test:6} {b:5d} {tps:10.2f} {gbs:7.0f} {ceil:8.1f} {pct:>10}")
PY
