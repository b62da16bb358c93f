#version 450
// Mixture-of-experts routing per row: softmax over the experts' router logits, the `used` largest kept (ties to the
// lower expert, as the CPU's topK) and their weights renormalized to sum 1. One invocation per row.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer L { float logits[]; };
layout(std430, binding = 1) writeonly buffer Ids { int ids[]; };
layout(std430, binding = 2) writeonly buffer Wt { float weights[]; };
layout(push_constant) uniform P { uint n; uint experts; uint used; } p;

void main() {
    uint t = gl_GlobalInvocationID.x;
    if (t >= p.n) {
        return;
    }
    uint base = t * p.experts;
    float mx = -1.0 / 0.0;
    for (uint e = 0u; e < p.experts; e++) { mx = max(mx, logits[base + e]); }
    float sum = 0.0;
    for (uint e = 0u; e < p.experts; e++) { sum += exp(logits[base + e] - mx); }
    float chosenSum = 0.0;
    float last = 1.0 / 0.0;
    int lastId = -1;
    for (uint k = 0u; k < p.used; k++) {
        // the next largest after (last, lastId) in (value descending, index ascending) order
        int best = -1;
        float bestV = -1.0 / 0.0;
        for (uint e = 0u; e < p.experts; e++) {
            float v = logits[base + e];
            bool after = v < last || (v == last && int(e) > lastId);
            if (after && (best < 0 || v > bestV)) { best = int(e); bestV = v; }
        }
        float w = exp(bestV - mx) / sum;
        ids[t * p.used + k] = best;
        weights[t * p.used + k] = w;
        chosenSum += w;
        last = bestV;
        lastId = best;
    }
    for (uint k = 0u; k < p.used; k++) { weights[t * p.used + k] /= chosenSum; }
}
