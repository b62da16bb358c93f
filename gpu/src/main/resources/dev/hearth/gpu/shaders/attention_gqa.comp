#version 450
// attention.comp's causal attention over the paged KV cache for prompts and batches, one workgroup per row and KV
// head instead of per row and query head: the GS query heads that share a KV head take each key and value row from
// memory once (attention.comp reads them once per query head). Per 64-position chunk an invocation scores its position
// against the GS queries (its key row read 16 bytes a load, the queries from shared memory 4 values a load), the GS
// maxima and sums are subgroup reductions, and each invocation adds the weighted values of its pairs of head
// dimensions for the GS heads (a pair a load, 8 positions' loads issued before their sums). F32 (KV 0) or F16 (KV 1) caches whose
// rows are multiples of 8 values; the host defines KV, GS (heads per KV head, up to 8) and HS (the head size, a
// multiple of 8 up to 256). Needs subgroup arithmetic.
// SPLIT 1 (decode: a few rows, too few workgroups to fill the device): the row's positions are cut into
// gl_NumWorkGroups.z ranges of whole chunks, one workgroup each, and each writes its unnormalized sums with its running
// max and sum (part[], HS + 2 floats a head and range) for attention_combine.comp to merge; the ranges past the row's
// end (a short context) return at once.
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#extension GL_EXT_control_flow_attributes : require
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Q { float q[]; };
#if KV == 1
layout(std430, binding = 1) readonly buffer KC4 { uvec4 kc4[]; };
layout(std430, binding = 2) readonly buffer VC { uint vc[]; };
#else
layout(std430, binding = 1) readonly buffer KC4 { vec4 kc4[]; };
layout(std430, binding = 2) readonly buffer VC { float vc[]; };
#endif
#if SPLIT
layout(std430, binding = 3) writeonly buffer Part { float part[]; };
#else
layout(std430, binding = 3) writeonly buffer O { float o[]; };
#endif
layout(std430, binding = 4) readonly buffer Meta { int meta[]; };
layout(std430, binding = 5) readonly buffer Tables { int tables[]; };
layout(push_constant) uniform P {
    uint headSize; uint group; uint kvDim; uint blockSize; float scale; uint qStride;
} p;
#define PAIRS ((HS / 2u + 63u) / 64u)  // pairs of head dimensions an invocation sums (dimensions 2i, 2i + 1)
#define SUMS (2u * PAIRS)
shared vec4 qs4[GS * HS / 4u];
shared float weights[GS][64];
shared float maxima[GS][64];
shared float sums[GS][64];
shared uint rowOf[64];

vec2 pairAt(uint at) {  // values at and at + 1 (at even: rows and heads are multiples of 8 values)
#if KV == 1
    return unpackHalf2x16(vc[at >> 1]);
#else
    return vec2(vc[at], vc[at + 1u]);
#endif
}

void main() {
    uint g = gl_WorkGroupID.x;  // the KV head
    uint t = gl_WorkGroupID.y;
    uint tid = gl_LocalInvocationID.x;
    uint qBase = t * p.qStride + g * GS * HS;  // the group's query heads are consecutive
    uint headOff = g * HS;
    uint tableOff = uint(meta[2u * t]);
    uint len = uint(meta[2u * t + 1u]);
#if SPLIT
    uint ranges = gl_NumWorkGroups.z;
    uint span = ((len + ranges - 1u) / ranges + 63u) & ~63u;  // whole chunks a range
    uint begin = gl_WorkGroupID.z * span;
    uint end = min(len, begin + span);
    if (begin >= end) { return; }  // a range past the row's end: the merge reads only the ranges before it
#else
    uint begin = 0u;
    uint end = len;
#endif
    for (uint d = tid; d < GS * HS / 4u; d += 64u) {
        uint b = qBase + 4u * d;
        qs4[d] = vec4(q[b], q[b + 1u], q[b + 2u], q[b + 3u]);
    }
    barrier();
    float m[GS];
    float l[GS];
    float acc[GS * SUMS];
    [[unroll]] for (uint h = 0u; h < GS; h++) { m[h] = -1.0 / 0.0; l[h] = 0.0; }
    [[unroll]] for (uint i = 0u; i < GS * SUMS; i++) { acc[i] = 0.0; }
    for (uint start = begin; start < end; start += 64u) {
        uint j = start + tid;
        float s[GS];
        [[unroll]] for (uint h = 0u; h < GS; h++) { s[h] = -1.0 / 0.0; }
        if (j < end) {
            uint block = uint(tables[tableOff + j / p.blockSize]);
            uint at = (block * p.blockSize + j % p.blockSize) * p.kvDim + headOff;
            rowOf[tid] = at;
            float dots[GS];
            [[unroll]] for (uint h = 0u; h < GS; h++) { dots[h] = 0.0; }
#if KV == 1
            [[unroll]] for (uint d = 0u; d < HS; d += 8u) {
                uvec4 kk = kc4[(at + d) >> 3];
                vec4 k0 = vec4(unpackHalf2x16(kk.x), unpackHalf2x16(kk.y));
                vec4 k1 = vec4(unpackHalf2x16(kk.z), unpackHalf2x16(kk.w));
                [[unroll]] for (uint h = 0u; h < GS; h++) {
                    uint b = (h * HS + d) / 4u;
                    dots[h] += dot(qs4[b], k0) + dot(qs4[b + 1u], k1);
                }
            }
#else
            [[unroll]] for (uint d = 0u; d < HS; d += 4u) {
                vec4 k0 = kc4[(at + d) >> 2];
                [[unroll]] for (uint h = 0u; h < GS; h++) {
                    dots[h] += dot(qs4[(h * HS + d) / 4u], k0);
                }
            }
#endif
            [[unroll]] for (uint h = 0u; h < GS; h++) { s[h] = p.scale * dots[h]; }
        }
        [[unroll]] for (uint h = 0u; h < GS; h++) {
            float x = subgroupMax(s[h]);
            if (subgroupElect()) { maxima[h][gl_SubgroupID] = x; }
        }
        barrier();  // rowOf and the maxima are written
        float mNew[GS];
        float e[GS];
        [[unroll]] for (uint h = 0u; h < GS; h++) {
            mNew[h] = m[h];
            for (uint i = 0u; i < gl_NumSubgroups; i++) { mNew[h] = max(mNew[h], maxima[h][i]); }
            e[h] = j < end ? exp(s[h] - mNew[h]) : 0.0;
            weights[h][tid] = e[h];
            float x = subgroupAdd(e[h]);
            if (subgroupElect()) { sums[h][gl_SubgroupID] = x; }
        }
        barrier();  // the weights and the sums are written
        uint chunk = min(64u, end - start);
        [[unroll]] for (uint h = 0u; h < GS; h++) {
            float sum = 0.0;
            for (uint i = 0u; i < gl_NumSubgroups; i++) { sum += sums[h][i]; }
            float correction = exp(m[h] - mNew[h]);
            l[h] = l[h] * correction + sum;
            [[unroll]] for (uint c = 0u; c < SUMS; c++) { acc[h * SUMS + c] *= correction; }
            m[h] = mNew[h];
        }
        // each invocation sums its pairs of dimensions, the values of 8 positions loaded before their sums
        [[unroll]] for (uint c = 0u; c < PAIRS; c++) {
            uint d = 2u * (tid + 64u * c);
            if (d < HS) {
                uint r = 0u;
                for (; r + 8u <= chunk; r += 8u) {
                    vec2 v[8];
                    [[unroll]] for (uint u = 0u; u < 8u; u++) { v[u] = pairAt(rowOf[r + u] + d); }
                    [[unroll]] for (uint u = 0u; u < 8u; u++) {
                        [[unroll]] for (uint h = 0u; h < GS; h++) {
                            float wt = weights[h][r + u];
                            acc[h * SUMS + 2u * c] += wt * v[u].x;
                            acc[h * SUMS + 2u * c + 1u] += wt * v[u].y;
                        }
                    }
                }
                for (; r < chunk; r++) {
                    vec2 v = pairAt(rowOf[r] + d);
                    [[unroll]] for (uint h = 0u; h < GS; h++) {
                        float wt = weights[h][r];
                        acc[h * SUMS + 2u * c] += wt * v.x;
                        acc[h * SUMS + 2u * c + 1u] += wt * v.y;
                    }
                }
            }
        }
        barrier();  // the chunk's shared values are read
    }
#if SPLIT
    [[unroll]] for (uint h = 0u; h < GS; h++) {
        uint at = (((t * gl_NumWorkGroups.x + g) * GS + h) * ranges + gl_WorkGroupID.z) * (HS + 2u);
        [[unroll]] for (uint c = 0u; c < PAIRS; c++) {
            uint d = 2u * (tid + 64u * c);
            if (d < HS) {
                part[at + d] = acc[h * SUMS + 2u * c];
                part[at + d + 1u] = acc[h * SUMS + 2u * c + 1u];
            }
        }
        if (tid == 0u) {
            part[at + HS] = m[h];
            part[at + HS + 1u] = l[h];
        }
    }
#else
    [[unroll]] for (uint h = 0u; h < GS; h++) {
        [[unroll]] for (uint c = 0u; c < PAIRS; c++) {
            uint d = 2u * (tid + 64u * c);
            if (d < HS) {
                o[qBase + h * HS + d] = acc[h * SUMS + 2u * c] / l[h];
                o[qBase + h * HS + d + 1u] = acc[h * SUMS + 2u * c + 1u] / l[h];
            }
        }
    }
#endif
}
