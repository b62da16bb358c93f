#version 450
// A blocked product's input as halves for matmm_coop.comp (XH 1), 8 values an invocation, count eighths in all: GLU 0
// converts a, GLU 1 the SwiGLU of gate a and up b (as elementwise.comp's OP 1). The products that share an input
// (q, k and v; gate and up) then read half its bytes, converted once.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer A { vec4 a[]; };
layout(std430, binding = 1) readonly buffer B { vec4 b[]; };
layout(std430, binding = 2) writeonly buffer H { uvec4 h[]; };
layout(push_constant) uniform P { uint count; } p;

vec4 value(uint i) {
#if GLU
    vec4 g = a[i];
    return g / (1.0 + exp(-g)) * b[i];
#else
    return a[i];
#endif
}

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    if (i >= p.count) {
        return;
    }
    vec4 lo = value(2u * i);
    vec4 hi = value(2u * i + 1u);
    h[i] = uvec4(packHalf2x16(lo.xy), packHalf2x16(lo.zw), packHalf2x16(hi.xy), packHalf2x16(hi.zw));
}
