#!/usr/bin/env bash
# One session on a GPU machine without Java (the project's H100/H200), in phases so that each device call stays
# under the tool's size and time limits; the machine stays warm between calls, so later phases reuse /tmp.
#   here:   mvn -B -DskipTests package && bash bench/scripts/gpu_bundle.sh && bash bench/scripts/gpu_testbundle.sh
#   there:  bash bench/scripts/gpu_session.sh setup           (carry .gpurun and .gputest: runtime, jars, tests; and
#                                                              .gpuold, where a before/after of code needs it: an
#                                                              older build's hearth-server.jar and lib/hearth-*.jar,
#                                                              unpacked as /tmp/hearth-old for gpu_ab.sh)
#           bash bench/scripts/gpu_session.sh fidelity DIR I..  (fixtures under DIR; VulkanFidelityTest cases I..)
#           bash bench/scripts/gpu_session.sh serve DIR        (VulkanServerTest; run and serve with chat, tools, schema)
#           bash bench/scripts/gpu_session.sh kernels          (ShaderKernelsTest: every shader against its twin;
#                                                              GPU_JAVA_OPTS: switches, e.g. -Dhearth.gpu.matmm.split=512)
#           bash bench/scripts/gpu_session.sh versus           (small synth models: device logits next to the CPU's)
#           bash bench/scripts/gpu_session.sh synth            (1B, 8B, 14B Q4_K_M and 14B Q4_0 shapes)
#           bash bench/scripts/gpu_session.sh synth-bg         (the same in the background: start it with setup; the
#                                                              speed, profile and tune scripts wait for their models)
#           bash bench/scripts/gpu_session.sh bench NAME..     (pp512 / tg128 at 1, 16, 64 sequences + bandwidth)
# Output goes to stdout and, when OUT is set, to $OUT/*.txt. Pipes are line-buffered so that a phase cut by the
# device tool's time limit still shows what it measured. Seen on the H100 (2026-12-05): NVIDIA's Vulkan driver needs
# glvnd (gpu_bundle.sh packs it); the fixtures travel in folders of at most ~55 MB (.gpufx-*/models, /reference),
# one device call each, as the tool carries 64 MiB.
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/hearth-gpu}
home=/tmp/hearth-run
mkdir -p "$out" /tmp/models
[ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && \
    export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
java=/tmp/hearth-jre/bin/java
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
hearth() { "$java" "${flags[@]}" -XX:+UseG1GC -Xmx24g -jar "$home/hearth-server.jar" "$@" 2>&1 \
    | grep --line-buffered -v '^WARNING'; }
junit() {
    local cp
    cp=$(ls "$home"/test/*.jar "$home"/lib/hearth-core*.jar "$home"/lib/hearth-gpu*.jar "$home"/lib/lwjgl*.jar \
        "$home"/lib/jackson*.jar | tr '\n' ':')
    "$java" "${flags[@]}" ${GPU_JAVA_OPTS:-} -Dhearth.fixtures="$fixtures" \
        -jar "$home"/test/junit-platform-console-standalone-*.jar execute -cp "$cp" --details=tree \
        --disable-ansi-colors "$@" 2>&1 | grep --line-buffered -v '^WARNING'
}
phase=$1; shift
case $phase in
setup)
    if [ ! -x "$java" ]; then tar xJf .gpurun/jre.tar.xz -C /tmp; fi
    for f in .gpurun/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
    rm -rf "$home" && mkdir -p "$home/test" "$home/server-test" && cp -r .gpurun/hearth-server.jar .gpurun/lib \
        "$home/" && cp .gputest/cp/*.jar "$home/test/" && cp .gputest/server/*.jar "$home/server-test/"
    if [ -d .gpuold ]; then  # an older build's jars (gpu_ab.sh's "old:" option sets): its runtime is this one's
        rm -rf /tmp/hearth-old && cp -r "$home" /tmp/hearth-old && cp .gpuold/hearth-server.jar /tmp/hearth-old/ \
            && cp .gpuold/hearth-core* .gpuold/hearth-gpu* /tmp/hearth-old/lib/
    fi
    { nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv; hearth info;
      hearth info --json; } | tee "$out/info.txt" ;;
fidelity)
    fixtures=$(realpath "$1"); shift
    sel=()
    for i in "$@"; do
        sel+=(--select-iteration "method:dev.hearth.model.VulkanFidelityTest#matchesTheFloat32References(dev.hearth.model.VulkanFidelityTest\$Case)[$i]")
    done
    junit "${sel[@]}" | tee -a "$out/fidelity.txt" ;;
serve)
    fixtures=$(realpath "$1"); shift
    cp=$(ls "$home"/hearth-server.jar "$home"/test/*.jar "$home"/server-test/*.jar "$home"/lib/*.jar | tr '\n' ':')
    "$java" "${flags[@]}" -Dhearth.fixtures="$fixtures" -jar "$home"/test/junit-platform-console-standalone-*.jar \
        execute -cp "$cp" --details=tree --disable-ansi-colors --select-class dev.hearth.server.http.VulkanServerTest \
        2>&1 | grep --line-buffered -v '^WARNING' | tee -a "$out/serve.txt"
    m="$fixtures/models/qwen3-fx-Q8_0.gguf"
    hearth run "$m" --device vulkan --gpu-layers all -n 16 --temp 0 -p "Hello there" | tee -a "$out/serve.txt"
    hearth serve --model "$m=q3" --device vulkan --gpu-layers all --port 18080 > "$out/serve-log.txt" 2>&1 &
    for _ in $(seq 60); do curl -s localhost:18080/health | grep -q '"ok"' && break; sleep 1; done
    chat() { curl -s -N localhost:18080/v1/chat/completions -H 'content-type: application/json' -d "$1"; echo; }
    { echo "== streamed chat"; chat '{"model":"q3","messages":[{"role":"user","content":"Hi"}],"max_tokens":12,"stream":true}' \
          | grep '^data' | sed -n '1p;$p'
      echo "== tool call (forced)"; chat '{"model":"q3","messages":[{"role":"user","content":"Weather in Oslo?"}],"max_tokens":60,"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string","maxLength":10}},"required":["city"]}}}],"tool_choice":"required"}'
      echo "== structured output"; chat '{"model":"q3","messages":[{"role":"user","content":"A person"}],"max_tokens":80,"response_format":{"type":"json_schema","json_schema":{"name":"p","strict":true,"schema":{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}}}}'
    } 2>&1 | tee -a "$out/serve.txt"
    kill %1; wait
    grep -i -E 'vulkan|layers|placement' "$out/serve-log.txt" | head -5 | tee -a "$out/serve.txt" ;;
kernels)
    fixtures=/nonexistent
    junit --select-class dev.hearth.gpu.ShaderKernelsTest | tee -a "$out/kernels.txt" ;;
versus)
    ids=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20
    for spec in "llama Q4_K_M" "llama Q5_K_M" "qwen2 Q6_K" "qwen3 Q8_0" "qwen2 F16" "llama BF16"; do
        set -- $spec
        m=/tmp/models/small-$1-$2.gguf
        hearth synth --arch "$1" --layers 2 --dim 256 --heads 4 --kv-heads 2 --ffn 512 --vocab 32000 --type "$2" \
            --out "$m" >/dev/null
        hearth logits "$m" --ids $ids --device cpu > "$out/versus-$1-$2-cpu.txt"
        hearth logits "$m" --ids $ids --device vulkan --gpu-layers all > "$out/versus-$1-$2-vulkan.txt"
    done
    grep -h '^device:' "$out"/versus-*-vulkan.txt | sort | uniq -c   # must say vulkan, not the CPU
    python3 bench/scripts/compare_logits.py "$out"/versus-*-cpu.txt | tee "$out/versus.txt" ;;
synth)
    # each file written under a temporary name and renamed: a script waiting for it never reads half a model
    trap 'rm -f /tmp/models/.synth-running' EXIT
    shape() {  # NAME SYNTH-ARGS..
        local m=/tmp/models/$1.gguf
        shift
        [ -f "$m" ] || { hearth synth "$@" --out "$m.part" && mv "$m.part" "$m"; }
    }
    # SHAPES="8b 14b": only those, each in its own process at once (the machine has 16 cores; synth uses few)
    for s in ${SHAPES:-1b 8b 14b 14b-q4_0}; do
        case $s in
        1b) shape 1b --preset llama-3.2-1b --type Q4_K_M & ;;
        8b) shape 8b --arch llama --layers 32 --dim 4096 --heads 32 --kv-heads 8 --ffn 14336 --vocab 128256 \
                --type Q4_K_M & ;;
        14b) shape 14b --preset qwen2.5-14b --type Q4_K_M & ;;
        14b-q4_0) shape 14b-q4_0 --preset qwen2.5-14b --type Q4_0 & ;;
        esac
    done
    wait
    ls -la /tmp/models ;;
synth-bg)
    touch /tmp/models/.synth-running
    SHAPES=${SHAPES:-} setsid nohup bash "$0" synth > /tmp/models/synth.log 2>&1 < /dev/null &
    echo "synth of 1b, 8b, 14b, 14b-q4_0 running in the background (/tmp/models/synth.log, 2-6 minutes)" ;;
bench)
    for m in "$@"; do
        timeout 240 "$java" "${flags[@]}" -XX:+UseG1GC -Xmx24g -jar "$home/hearth-server.jar" bench \
            /tmp/models/$m.gguf -p 512 -n 128 -b 1,16,64 -r 3 --device vulkan --gpu-layers all --kv f16 2>&1 \
            | grep --line-buffered -v '^WARNING' | tee -a "$out/bench.txt"
    done ;;
*) echo "unknown phase $phase" >&2; exit 2 ;;
esac
