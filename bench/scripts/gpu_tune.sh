#!/usr/bin/env bash
# Tuning sweep of the decode matvec on a GPU machine (one device call, about 2 minutes): the 8B Q4_K_M shape's tg64
# under the GPU profile for each workgroup size x weight rows per workgroup (-Dhearth.gpu.matvec.wg / .rows), printing
# tokens/s, the GPU ms per step and the matvec rows of the profile. Needs gpu_session.sh setup and the 8b model
# (gpu_session.sh synth, or the parallel synth of the device how-to). CONFIGS="64x2 128x4u2" picks the pairs (uN: the
# loads of N tasks issued together in matvec_q4k, _q5k, _q4_0 and _q8_0.comp, -Dhearth.gpu.matvec.unroll, default 4);
# a pair ending in :generic runs Q4_K, Q5_K, Q6_K, Q4_0 and Q8_0 through matvec.comp instead of matvec_q4k, _q5k, _q6k,
# _q4_0 and _q8_0.comp (-Dhearth.gpu.matvec.q4k=off, .q5k=off, .q6k=off, .q4_0=off, .q8_0=off). EXTRA: more JVM
# options for every run.
# Output: stdout and $OUT/tune.txt when OUT is set.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/hearth-gpu}
home=${RUN:-/tmp/hearth-run}
java=/tmp/hearth-jre/bin/java
model=${MODEL:-/tmp/models/8b.gguf}
mkdir -p "$out"
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && \
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
source bench/scripts/gpu_models.sh
[ -n "${MODEL:-}" ] || need_models 8b || exit 1
log="$out/tune.txt"
: > "$log"
for cfg in ${CONFIGS:-64x2:generic 64x2 64x1 64x4 32x2 32x4 128x1 128x2 128x4 256x2}; do
    own=on
    case $cfg in *:generic) own=off; cfg=${cfg%:generic} ;; esac
    unroll=4
    case $cfg in *u*) unroll=${cfg#*u}; cfg=${cfg%u*} ;; esac
    wg=${cfg%x*}
    rows=${cfg#*x}
    echo "== wg $wg rows $rows unroll $unroll q4k/q5k/q6k/q4_0/q8_0 $own" | tee -a "$log"
    timeout 60 "$java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
        --sun-misc-unsafe-memory-access=allow -Xmx24g -Dhearth.gpu.profile=true -Dhearth.gpu.matvec.wg="$wg" \
        -Dhearth.gpu.matvec.rows="$rows" -Dhearth.gpu.matvec.unroll="$unroll" -Dhearth.gpu.matvec.q4k=$own \
        -Dhearth.gpu.matvec.q5k=$own -Dhearth.gpu.matvec.q6k=$own -Dhearth.gpu.matvec.q4_0=$own \
        -Dhearth.gpu.matvec.q8_0=$own ${EXTRA:-} \
        -jar "$home/hearth-server.jar" bench "$model" --device vulkan \
        --gpu-layers all --kv f16 -p 0 -n 64 -r 1 2>&1 | grep --line-buffered -E '^tg|gpu profile|matvec' \
        | tee -a "$log"
done
