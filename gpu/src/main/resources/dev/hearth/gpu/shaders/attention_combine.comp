#version 450
// The merge of attention_gqa.comp's SPLIT ranges: one workgroup per query head and row. Each range left its
// unnormalized weighted values with its running max m and sum l (HS + 2 floats); out = sum_r e_r acc_r / sum_r e_r l_r
// with e_r = exp(m_r - max m), the online softmax's own correction, taken once across the ranges.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Part { float part[]; };
layout(std430, binding = 1) writeonly buffer O { float o[]; };
layout(push_constant) uniform P { uint headSize; uint ranges; uint numHeads; } p;

void main() {
    uint h = gl_WorkGroupID.x;
    uint t = gl_WorkGroupID.y;
    uint stride = p.headSize + 2u;
    uint first = (t * p.numHeads + h) * p.ranges * stride;
    float mMax = -1.0 / 0.0;
    for (uint r = 0u; r < p.ranges; r++) { mMax = max(mMax, part[first + r * stride + p.headSize]); }
    float l = 0.0;
    for (uint r = 0u; r < p.ranges; r++) {
        uint at = first + r * stride + p.headSize;
        l += exp(part[at] - mMax) * part[at + 1u];
    }
    for (uint d = gl_LocalInvocationID.x; d < p.headSize; d += 64u) {
        float s = 0.0;
        for (uint r = 0u; r < p.ranges; r++) {
            uint at = first + r * stride;
            s += exp(part[at + p.headSize] - mMax) * part[at + d];
        }
        o[(t * p.numHeads + h) * p.headSize + d] = s / l;
    }
}
