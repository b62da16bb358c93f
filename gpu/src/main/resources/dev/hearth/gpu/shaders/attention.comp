#version 450
// Causal attention of one row and one query head over its sequence's paged KV cache, one workgroup each: the row's
// positions are taken 64 at a time (one per invocation) with an online softmax (running max and sum), and the
// weighted values accumulate per head dimension (up to 4 * 64 = 256). KV 0: F32 cache, 1: F16, 2: Q8_0 (quants four
// to a word, one float scale per 32 values). meta[2t] is the offset of row t's block
// table in tables[], meta[2t + 1] the number of positions it attends to. SUBGROUPS 1: the chunk's max and sum are
// subgroup reductions (three barriers a chunk); 0: shared-memory trees (fourteen). VEC 1 (F32 and F16 caches whose head
// size and KV width are multiples of 8): a key row is read 16 bytes a load, HS (the head size) known when compiled, so
// that all its loads are in flight together instead of one round trip per value, and the values are read two
// neighbouring dimensions a load, eight positions' loads issued together. SPLIT 1 (decode): the row's positions
// are cut into gl_NumWorkGroups.z ranges as attention_gqa.comp's SPLIT cuts them, and each range's unnormalized sums,
// max and sum go to part[] for attention_combine.comp.
#extension GL_EXT_control_flow_attributes : require
#if SUBGROUPS
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer Q { float q[]; };
#if KV == 1 || KV == 2
layout(std430, binding = 1) readonly buffer KC { uint kc[]; };
layout(std430, binding = 2) readonly buffer VC { uint vc[]; };
layout(std430, binding = 1) readonly buffer KC4 { uvec4 kc4[]; };
#else
layout(std430, binding = 1) readonly buffer KC4 { vec4 kc4[]; };
layout(std430, binding = 1) readonly buffer KC { float kc[]; };
layout(std430, binding = 2) readonly buffer VC { float vc[]; };
layout(std430, binding = 2) readonly buffer VC2 { vec2 vc2[]; };
#endif
#if SPLIT
layout(std430, binding = 3) writeonly buffer Part { float part[]; };
#else
layout(std430, binding = 3) writeonly buffer O { float o[]; };
#endif
layout(std430, binding = 4) readonly buffer Meta { int meta[]; };
layout(std430, binding = 5) readonly buffer Tables { int tables[]; };
#if KV == 2
layout(std430, binding = 6) readonly buffer KS { float ks[]; };
layout(std430, binding = 7) readonly buffer VS { float vs[]; };
#endif
layout(push_constant) uniform P {
    uint headSize; uint group; uint kvDim; uint blockSize; float scale; uint qStride;
} p;
shared float qs[256];
shared float weights[64];
shared float red[64];
shared float sums[64];
shared uint rowOf[64];  // the cache offset of each position of the chunk (its block looked up once)

uint rowStart(uint tableOff, uint j) {
    uint block = uint(tables[tableOff + j / p.blockSize]);
    return (block * p.blockSize + j % p.blockSize) * p.kvDim;
}

float keyAt(uint at) {
#if KV == 1
    vec2 h = unpackHalf2x16(kc[at >> 1]);
    return (at & 1u) == 0u ? h.x : h.y;
#elif KV == 2
    return float(int(kc[at >> 2] << (24u - 8u * (at & 3u))) >> 24) * ks[at >> 5];
#else
    return kc[at];
#endif
}

#if VEC
// values at and at + 1 (at even: VEC rows and heads are multiples of 8)
vec2 valuePair(uint at) {
#if KV == 1
    return unpackHalf2x16(vc[at >> 1]);
#else
    return vc2[at >> 1];
#endif
}
#endif

float valueAt(uint at) {
#if KV == 1
    vec2 h = unpackHalf2x16(vc[at >> 1]);
    return (at & 1u) == 0u ? h.x : h.y;
#elif KV == 2
    return float(int(vc[at >> 2] << (24u - 8u * (at & 3u))) >> 24) * vs[at >> 5];
#else
    return vc[at];
#endif
}

void main() {
    uint h = gl_WorkGroupID.x;
    uint t = gl_WorkGroupID.y;
    uint tid = gl_LocalInvocationID.x;
    uint qBase = t * p.qStride + h * p.headSize;
    uint headOff = (h / p.group) * p.headSize;
    uint tableOff = uint(meta[2u * t]);
    uint len = uint(meta[2u * t + 1u]);
#if SPLIT
    uint ranges = gl_NumWorkGroups.z;
    uint span = ((len + ranges - 1u) / ranges + 63u) & ~63u;  // whole chunks a range
    uint begin = gl_WorkGroupID.z * span;
    len = min(len, begin + span);  // the range's end
    if (begin >= len) { return; }  // past the row's end: the merge reads only the ranges before it
#else
    uint begin = 0u;
#endif
    for (uint d = tid; d < p.headSize; d += 64u) { qs[d] = q[qBase + d]; }
    barrier();
    float m = -1.0 / 0.0;
    float l = 0.0;
#if VEC
    vec2 acc2[2] = vec2[2](vec2(0.0), vec2(0.0));  // dimensions 2 (tid + 64 c) and the next
#else
    float acc[4] = float[4](0.0, 0.0, 0.0, 0.0);
#endif
    for (uint start = begin; start < len; start += 64u) {
        uint j = start + tid;
        float s = -1.0 / 0.0;
        if (j < len) {
            uint at = rowStart(tableOff, j) + headOff;
            rowOf[tid] = at;
            float dot_ = 0.0;
#if VEC && KV == 1
            for (uint d = 0u; d < HS; d += 8u) {  // at and HS are multiples of 8: eight halves a load
                uvec4 kk = kc4[(at + d) >> 3];
                vec2 k0 = unpackHalf2x16(kk.x);
                vec2 k1 = unpackHalf2x16(kk.y);
                vec2 k2 = unpackHalf2x16(kk.z);
                vec2 k3 = unpackHalf2x16(kk.w);
                dot_ += dot(vec4(qs[d], qs[d + 1u], qs[d + 2u], qs[d + 3u]), vec4(k0, k1))
                        + dot(vec4(qs[d + 4u], qs[d + 5u], qs[d + 6u], qs[d + 7u]), vec4(k2, k3));
            }
#elif VEC && KV == 0
            for (uint d = 0u; d < HS; d += 4u) {  // at and HS are multiples of 4: four floats a load
                dot_ += dot(vec4(qs[d], qs[d + 1u], qs[d + 2u], qs[d + 3u]), kc4[(at + d) >> 2]);
            }
#elif KV == 1
            for (uint d = 0u; d < p.headSize; d += 2u) {  // at and headSize are even: two halves a word
                vec2 kk = unpackHalf2x16(kc[(at + d) >> 1]);
                dot_ += qs[d] * kk.x + qs[d + 1u] * kk.y;
            }
#else
            for (uint d = 0u; d < p.headSize; d++) { dot_ += qs[d] * keyAt(at + d); }
#endif
            s = p.scale * dot_;
        }
#if SUBGROUPS
        float chunkMax = subgroupMax(s);
        if (subgroupElect()) { red[gl_SubgroupID] = chunkMax; }
        barrier();  // rowOf and the subgroups' maxima are written
        float mNew = m;
        for (uint i = 0u; i < gl_NumSubgroups; i++) { mNew = max(mNew, red[i]); }
        float e = j < len ? exp(s - mNew) : 0.0;
        weights[tid] = e;
        float chunkSum = subgroupAdd(e);
        if (subgroupElect()) { sums[gl_SubgroupID] = chunkSum; }
        barrier();  // the weights and the subgroups' sums are written
        float sum = 0.0;
        for (uint i = 0u; i < gl_NumSubgroups; i++) { sum += sums[i]; }
#else
        red[tid] = s;
        barrier();
        for (uint k = 32u; k > 0u; k >>= 1) {
            if (tid < k) { red[tid] = max(red[tid], red[tid + k]); }
            barrier();
        }
        float mNew = max(m, red[0]);
        barrier();
        float e = j < len ? exp(s - mNew) : 0.0;
        weights[tid] = e;
        red[tid] = e;
        barrier();
        for (uint k = 32u; k > 0u; k >>= 1) {
            if (tid < k) { red[tid] += red[tid + k]; }
            barrier();
        }
        float sum = red[0];
#endif
        float correction = exp(m - mNew);
        l = l * correction + sum;
        uint chunk = min(64u, len - start);
#if VEC
        // two neighbouring dimensions a load, the loads of 8 positions in flight together (a loop of one position a
        // step waited on each load in turn: 18 us a decode call on the H100 at 64 positions)
        [[unroll]] for (uint c = 0u; c < 2u; c++) {
            uint d = 2u * (tid + 64u * c);
            if (d < HS) {
                vec2 a = acc2[c] * correction;
                uint r = 0u;
                for (; r + 8u <= chunk; r += 8u) {
                    vec2 v[8];
                    [[unroll]] for (uint i = 0u; i < 8u; i++) { v[i] = valuePair(rowOf[r + i] + d); }
                    [[unroll]] for (uint i = 0u; i < 8u; i++) { a += weights[r + i] * v[i]; }
                }
                for (; r < chunk; r++) { a += weights[r] * valuePair(rowOf[r] + d); }
                acc2[c] = a;
            }
        }
#else
        for (uint c = 0u; c < 4u; c++) {
            uint d = tid + 64u * c;
            if (d < p.headSize) {
                float a = acc[c] * correction;
                for (uint r = 0u; r < chunk; r++) { a += weights[r] * valueAt(rowOf[r] + d); }
                acc[c] = a;
            }
        }
#endif
        m = mNew;
        barrier();
    }
#if SPLIT
    uint at = ((t * gl_NumWorkGroups.x + h) * ranges + gl_WorkGroupID.z) * (p.headSize + 2u);
#if VEC
    [[unroll]] for (uint c = 0u; c < 2u; c++) {
        uint d = 2u * (tid + 64u * c);
        if (d < HS) {
            part[at + d] = acc2[c].x;
            part[at + d + 1u] = acc2[c].y;
        }
    }
#else
    for (uint c = 0u; c < 4u; c++) {
        uint d = tid + 64u * c;
        if (d < p.headSize) { part[at + d] = acc[c]; }
    }
#endif
    if (tid == 0u) {
        part[at + p.headSize] = m;
        part[at + p.headSize + 1u] = l;
    }
#else
#if VEC
    [[unroll]] for (uint c = 0u; c < 2u; c++) {
        uint d = 2u * (tid + 64u * c);
        if (d < HS) {
            o[qBase + d] = acc2[c].x / l;
            o[qBase + d + 1u] = acc2[c].y / l;
        }
    }
#else
    for (uint c = 0u; c < 4u; c++) {
        uint d = tid + 64u * c;
        if (d < p.headSize) { o[qBase + d] = acc[c] / l; }
    }
#endif
#endif
}
