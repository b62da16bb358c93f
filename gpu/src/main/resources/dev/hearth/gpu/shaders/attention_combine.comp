#version 450
// The merge of attention_gqa.comp's SPLIT ranges: one workgroup per query head and row. Each range that holds
// positions left its unnormalized weighted values with its running max m and sum l (HS + 2 floats); out =
// sum_r e_r acc_r / sum_r e_r l_r with e_r = exp(m_r - max m), the online softmax's own correction, taken once across
// the ranges. The ranges' weights are found in parallel (one invocation each) and the value loop is unrolled to the
// most ranges there can be (RANGES), so that its loads are in flight together: a loop of dependent reads of the
// ranges one by one cost more than the attention it merges. QUANT 1 (head sizes of multiples of 32): the output is
// also written as the 8-bit activations of the product that takes it (quantize_q8.comp's layout and arithmetic: each
// head's runs of 32 are the row's), so that no pass of its own quantizes it.
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Part { float part[]; };
layout(std430, binding = 1) writeonly buffer O { float o[]; };
layout(std430, binding = 2) readonly buffer Meta { int meta[]; };
#if QUANT
layout(std430, binding = 3) writeonly buffer Values { uint values[]; };
layout(std430, binding = 4) writeonly buffer Scales { float scales[]; };
shared float outs[256];
shared float runMax[8];
#endif
layout(push_constant) uniform P { uint headSize; uint ranges; uint numHeads; } p;
shared float weights[RANGES];
shared float scaled[RANGES];

void main() {
    uint h = gl_WorkGroupID.x;
    uint t = gl_WorkGroupID.y;
    uint tid = gl_LocalInvocationID.x;
    uint len = uint(meta[2u * t + 1u]);
    uint span = ((len + p.ranges - 1u) / p.ranges + 63u) & ~63u;  // as attention_gqa.comp cuts them
    uint used = (len + span - 1u) / span;
    uint stride = p.headSize + 2u;
    uint first = (t * p.numHeads + h) * p.ranges * stride;
    if (tid < RANGES) { weights[tid] = tid < used ? part[first + tid * stride + p.headSize] : -1.0 / 0.0; }
    barrier();
    float mMax = -1.0 / 0.0;
    [[unroll]] for (uint r = 0u; r < RANGES; r++) { mMax = max(mMax, weights[r]); }
    barrier();
    if (tid < RANGES) {
        float e = tid < used ? exp(weights[tid] - mMax) : 0.0;
        scaled[tid] = tid < used ? e * part[first + tid * stride + p.headSize + 1u] : 0.0;
        weights[tid] = e;
    }
    barrier();
    float l = 0.0;
    [[unroll]] for (uint r = 0u; r < RANGES; r++) { l += scaled[r]; }
    for (uint d = tid; d < p.headSize; d += 64u) {
        float s = 0.0;
        [[unroll]] for (uint r = 0u; r < RANGES; r++) {
            if (r < used) { s += weights[r] * part[first + r * stride + d]; }
        }
        o[(t * p.numHeads + h) * p.headSize + d] = s / l;
#if QUANT
        outs[d] = s / l;
#endif
    }
#if QUANT
    barrier();
    uint runs = p.headSize / 32u;
    if (tid < runs) {
        float amax = 0.0;
        for (uint i = 0u; i < 32u; i++) { amax = max(amax, abs(outs[tid * 32u + i])); }
        runMax[tid] = amax;
    }
    barrier();
    uint cols = p.numHeads * p.headSize;  // the row's values: its words and runs start at t * cols / 4 and / 32
    for (uint w = tid; w < p.headSize / 4u; w += 64u) {
        float amax = runMax[w / 8u];
        float inv = amax > 0.0 ? 127.0 / amax : 0.0;
        vec4 v = vec4(outs[4u * w], outs[4u * w + 1u], outs[4u * w + 2u], outs[4u * w + 3u]);
        ivec4 q = clamp(ivec4(round(v * inv)), ivec4(-127), ivec4(127));
        uvec4 b = uvec4(q) & 0xFFu;
        values[t * (cols / 4u) + h * (p.headSize / 4u) + w] = b.x | (b.y << 8) | (b.z << 16) | (b.w << 24);
    }
    if (tid < runs) { scales[t * (cols / 32u) + h * runs + tid] = runMax[tid] / 127.0; }
#endif
}
