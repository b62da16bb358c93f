#!/usr/bin/env bash
# Where a GPU forward step's time goes, in one device call (about 5 minutes): for the 1B and 8B Q4_K_M shapes, a
# decode run (tg128, batch 1) and a prompt run (pp512) each under -Dhearth.gpu.profile=true, which prints at exit,
# per step size, every kernel's calls per token, total ms and % of the GPU step, and the GPU step time against the
# host's wall time per step (the gap: recording, submit, fence wait, uploads, read back).
#   here:   mvn -B -DskipTests package && bash bench/scripts/gpu_bundle.sh
#   there:  bash bench/scripts/gpu_profile.sh   (carry .gpurun; the same setup as gpu_speed.sh: gpu_session.sh setup
#           when the runtime is not unpacked, synth for a missing model)
# Each run is under a timeout; a run cut by it (exit 124) prints no table, so the timeouts leave room.
# Output: stdout and $OUT/profile.txt when OUT is set.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/hearth-gpu}
home=${RUN:-/tmp/hearth-run}  # RUN: another unpacked build (a before/after pair)
java=/tmp/hearth-jre/bin/java
mkdir -p "$out"
[ -x "$java" ] && [ -f "$home/hearth-server.jar" ] || bash bench/scripts/gpu_session.sh setup >/dev/null
source bench/scripts/gpu_models.sh
need_models 1b 8b || exit 1
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && \
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
# GPU_JAVA_OPTS: more JVM options, e.g. kernel tuning switches (-Dhearth.gpu.matvec.rows=4)
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
    ${GPU_JAVA_OPTS:-} -XX:+UseG1GC -Xmx24g -Dhearth.gpu.profile=true -jar "$home/hearth-server.jar" bench)
log="$out/profile.txt"
: > "$log"
profile() {  # MODEL SECONDS ARGS..
    local m=$1 s=$2
    shift 2
    echo "== $m $*" | tee -a "$log"
    timeout "$s" "$java" "${flags[@]}" /tmp/models/$m.gguf --device vulkan --gpu-layers all --kv f16 "$@" 2>&1 \
        | grep --line-buffered -v '^WARNING' | tee -a "$log"
    echo "exit: ${PIPESTATUS[0]}" | tee -a "$log"   # 124: cut by the timeout
}
start=$(date +%s)
for m in 1b 8b; do
    profile $m 75 -p 0 -n 128 -b 1 -r 1
    profile $m 75 -p 512 -n 0 -b 1 -r 1
done
echo "total: $(( $(date +%s) - start )) s" | tee -a "$log"
