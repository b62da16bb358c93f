#version 450
// The merge of attention_gqa.comp's SPLIT ranges: one workgroup per query head and row. Each range that holds
// positions left its unnormalized weighted values with its running max m and sum l (HS + 2 floats); out =
// sum_r e_r acc_r / sum_r e_r l_r with e_r = exp(m_r - max m), the online softmax's own correction, taken once across
// the ranges. The ranges' weights are found in parallel (one invocation each) and the value loop is unrolled to the
// most ranges there can be (RANGES), so that its loads are in flight together: a loop of dependent reads of the
// ranges one by one cost more than the attention it merges.
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Part { float part[]; };
layout(std430, binding = 1) writeonly buffer O { float o[]; };
layout(std430, binding = 2) readonly buffer Meta { int meta[]; };
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
    }
}
