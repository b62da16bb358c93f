#!/usr/bin/env bash
# Sourced by the GPU machine's scripts: need_models NAME.. returns once /tmp/models/NAME.gguf exists for each name.
# A synth started in the background (gpu_session.sh synth-bg: the machine keeps it running between device calls while
# it stays warm) is waited for, up to 10 minutes; with none running, the missing shapes are synthesized here.
need_models() {
    local m missing waited=0
    while :; do
        missing=0
        for m in "$@"; do [ -f "/tmp/models/$m.gguf" ] || missing=1; done
        [ $missing = 0 ] && return 0
        if [ ! -f /tmp/models/.synth-running ]; then
            bash bench/scripts/gpu_session.sh synth >&2
            return 0
        fi
        [ $waited -ge 600 ] && { echo "gave up waiting for the background synth (/tmp/models/synth.log)" >&2; return 1; }
        sleep 5
        waited=$((waited + 5))
    done
}
