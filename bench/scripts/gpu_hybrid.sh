#!/usr/bin/env bash
# On the GPU machine without Java, with .gpurun/ from gpu_bundle.sh carried (see gpu_session.sh): the hybrid CPU+GPU
# split of issue 18 on the 14B shape. Prints, in one go: the devices; a small model's logits through a split next to the
# CPU's (correctness on the NVIDIA driver); the planner's prediction for a --gpu-memory cap that holds only half of
# the 14B's layers; then 'hearth bench' of the 14B (pp512, tg64, one sequence, 2 repetitions) on the CPU alone, split
# under that cap (--gpu-layers auto), and all on the GPU. About 4-5 minutes once /tmp/models/14b.gguf exists (made
# here with 'hearth synth' when it does not: a minute or two more). Writes $OUT/hybrid.txt when OUT is set.
set -uo pipefail
cd "$(dirname "$0")/../.."
b=.gpurun
out=${OUT:-/tmp/hearth-gpu}
mkdir -p "$out" /tmp/models
if [ -d "$b" ]; then
    [ -x /tmp/hearth-jre/bin/java ] || tar xJf "$b/jre.tar.xz" -C /tmp
    for f in "$b"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
else  # not carried: the runtime and jars that 'gpu_session.sh setup' unpacked on this (still warm) machine
    b=/tmp/hearth-run
fi
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export HEARTH_HOME=/tmp/hearth-home
java=(/tmp/hearth-jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
    --sun-misc-unsafe-memory-access=allow -XX:+UseParallelGC -Xmx96g -jar "$b/hearth-server.jar")
hearth() { "${java[@]}" "$@"; }
m=/tmp/models/14b.gguf
{
    hearth info
    # the CPU's native kernels round activations to 8 bits, the shaders do not: expect top-5 logits within about 1
    echo "== a small model: the CPU's logits, then a split (last layer + output on the GPU), then all on the GPU"
    s=/tmp/models/small-split-llama-Q4_K_M.gguf
    hearth synth --arch llama --layers 4 --dim 256 --heads 4 --kv-heads 2 --ffn 512 --vocab 32000 --type Q4_K_M \
        --out $s >/dev/null
    for dev in "--device cpu" "--device vulkan --gpu-layers 1" "--device vulkan --gpu-layers all"; do
        echo "-- $dev (the device line, then the top logits of the last two positions)"
        hearth logits $s --ids 1,2,3,4,5,6,7,8 --top 5 $dev 2>&1 | grep -E '^device:|"pos": (6|7),' 
    done
    [ -f $m ] || hearth synth --preset qwen2.5-14b --vocab 152064 --type Q4_K_M --out $m
    echo "== the planner: half of the layers on the GPU, and the cap that holds them"
    layers=$(hearth plan --model $m --ctx 648 --parallel 1 --kv f16 --device vulkan --gpu-layers all --json \
        | grep -o '"layers":[0-9]*' | head -1 | cut -d: -f2)
    half=$((layers / 2))
    need=$(hearth plan --model $m --ctx 648 --parallel 1 --kv f16 --device vulkan --gpu-layers $half --json \
        | grep -o '"deviceBytes":[0-9]*' | head -1 | cut -d: -f2)
    # the bench's batch of 256 rows takes a little more scratch than the planner's 128; well under one more layer
    cap=$(( (need + (96 << 20)) >> 20 ))m
    echo "layers: $layers, the last $half need $need bytes: --gpu-memory $cap"
    hearth plan --model $m --ctx 648 --parallel 1 --kv f16 --device vulkan --gpu-layers auto --gpu-memory $cap
    for dev in "--device cpu" "--device vulkan --gpu-layers auto --gpu-memory $cap" "--device vulkan --gpu-layers all"
    do
        echo "== hearth bench 14B $dev"
        timeout 170 "${java[@]}" bench $m -p 512 -n 64 -b 1 -r 2 --kv f16 $dev 2>&1
    done
} 2>&1 | tee "$out/hybrid.txt"
