#!/usr/bin/env bash
# On a GPU machine without Java (the project's H200), with .gpurun/ from gpu_bundle.sh carried: unpacks the runtime
# and the Vulkan loader, lists the devices, checks small random models of every family and several weight types on
# the device against the CPU (top-10 logits per position and greedy ids, side by side), makes 1B/8B/14B shapes with
# 'hearth synth' and benches them on the device (pp512/tg128, decode at 16 and 64 sequences, the card's bandwidth by
# our copy shader beside each: the decode roofline). Writes $OUT/*.txt when OUT is set.
set -uo pipefail
cd "$(dirname "$0")/../.."
b=.gpurun
out=${OUT:-/tmp/hearth-gpu}
mkdir -p "$out" /tmp/models
tar xJf "$b/jre.tar.xz" -C /tmp
for f in "$b"/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
hearth() {
    "/tmp/hearth-jre/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
        --sun-misc-unsafe-memory-access=allow -XX:+UseParallelGC -Xmx96g -jar "$b/hearth-server.jar" "$@"
}
{ hearth info; hearth info --json; } 2>&1 | tee "$out/info.txt"
# fidelity: the device's logits next to the CPU's on the same ids (top 10 per position), per family and type
ids=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20
for spec in "llama Q4_0" "llama Q4_K_M" "qwen2 Q8_0" "qwen3 Q6_K" "qwen2 F16"; do
    set -- $spec
    m=/tmp/models/small-$1-$2.gguf
    hearth synth --arch $1 --layers 2 --dim 256 --heads 4 --kv-heads 2 --ffn 512 --vocab 32000 --type $2 --out $m
    hearth logits $m --ids $ids --device cpu > "$out/logits-$1-$2-cpu.txt" 2>&1
    hearth logits $m --ids $ids --device vulkan --gpu-layers all > "$out/logits-$1-$2-vulkan.txt" 2>&1
done
hearth synth --arch llama --layers 2 --dim 256 --heads 4 --kv-heads 2 --ffn 512 --experts 4 --experts-used 2 \
    --vocab 32000 --type Q4_0 --out /tmp/models/small-moe.gguf
hearth logits /tmp/models/small-moe.gguf --ids $ids --device cpu > "$out/logits-moe-cpu.txt" 2>&1
hearth logits /tmp/models/small-moe.gguf --ids $ids --device vulkan > "$out/logits-moe-vulkan.txt" 2>&1
# speed: the issue's shapes (random weights; bench feeds random token ids)
hearth synth --preset llama-3.2-1b --vocab 128256 --type Q4_K_M --out /tmp/models/1b.gguf
hearth synth --arch llama --layers 32 --dim 4096 --heads 32 --kv-heads 8 --ffn 14336 --vocab 128256 --type Q4_K_M \
    --out /tmp/models/8b.gguf
hearth synth --preset qwen2.5-14b --vocab 152064 --type Q4_K_M --out /tmp/models/14b.gguf
hearth synth --preset qwen2.5-14b --vocab 152064 --type Q4_0 --out /tmp/models/14b-q4_0.gguf
for m in 1b 8b 14b 14b-q4_0; do
    hearth bench /tmp/models/$m.gguf -p 512 -n 128 -b 1,16,64 -r 3 --device vulkan --gpu-layers all --kv f16 \
        2>&1 | tee -a "$out/bench.txt"
done
