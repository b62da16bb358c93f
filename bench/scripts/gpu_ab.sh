#!/usr/bin/env bash
# A before/after of kernel switches on the same warm GPU machine, in one device call: for each model, pp512 and tg128
# at batch 1 (and with B=1 the decode of 16 and 64 sequences) once per set of JVM options, then a table of the
# figures side by side. The options are given as arguments, "" for the defaults, e.g.
#   bash bench/scripts/gpu_ab.sh "" "-Dhearth.gpu.fused=off" "-Dhearth.gpu.fused=off -Dhearth.gpu.attention.split=0"
# MODELS="8b 14b" picks the shapes (gpu_session.sh synth names; default 8b); BENCH="-p 0 -n 64 -d 4096" other bench
# arguments (default -p 512 -n 128). An option set "old:OPTS" runs the build unpacked in /tmp/hearth-old instead (a
# before/after of code, not of switches: build the older commit in a worktree, copy its server/target/hearth-server.jar
# and server/target/lib/hearth-*.jar into .gpuold/ and carry it; gpu_session.sh setup unpacks it). Carry
# .gpurun (gpu_bundle.sh); runs
# gpu_session.sh setup when the runtime is not unpacked. Output: stdout and $OUT/ab.txt when OUT is set.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/hearth-gpu}
home=/tmp/hearth-run
java=/tmp/hearth-jre/bin/java
mkdir -p "$out"
[ -x "$java" ] && [ -f "$home/hearth-server.jar" ] || bash bench/scripts/gpu_session.sh setup >/dev/null
source bench/scripts/gpu_models.sh
need_models ${MODELS:-8b} || exit 1
log="$out/ab.txt"
for m in ${MODELS:-8b}; do
    for opts in "$@"; do
        echo "== $m [${opts:-defaults}]" | tee -a "$log"
        run=$home
        case $opts in old:*) run=/tmp/hearth-old; opts=${opts#old:} ;; esac
        timeout 90 "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
            --sun-misc-unsafe-memory-access=allow $opts -XX:+UseG1GC -Xmx24g -jar "$run/hearth-server.jar" bench \
            /tmp/models/$m.gguf --device vulkan --gpu-layers all --kv f16 ${BENCH:--p 512 -n 128} -b ${B:-1} -r 2 2>&1 \
            | grep --line-buffered -E '^(pp|tg)[0-9]|bandwidth|rror' | tee -a "$log"
    done
done
python3 - "$log" <<'PY'
import re, sys
rows = {}
key = None
for line in open(sys.argv[1]):
    if line.startswith("== "):
        key = line[3:].strip()
    m = re.match(r"(pp\d+|tg\d+\S*)\s+(\d+)\s+([\d.]+)", line)
    if m and key:
        rows.setdefault(key, []).append(f"{m.group(1)} b{m.group(2)} {float(m.group(3)):.1f}")
for k, v in rows.items():
    print(f"{k:70} {' | '.join(v)}")
PY
