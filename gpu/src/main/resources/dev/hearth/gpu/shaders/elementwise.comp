#version 450
// Element-wise ops over count values (OP 0: a += b, residual add; OP 1: a = silu(a) * b, SwiGLU;
// OP 2: a[i] += b[i % width], bias add over rows of width).
layout(local_size_x = 64) in;
layout(std430, binding = 0) buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(push_constant) uniform P { uint count; uint width; } p;

void main() {
    uint i = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    if (i >= p.count) {
        return;
    }
#if OP == 0
    a[i] += b[i];
#elif OP == 1
    float g = a[i];
    a[i] = g / (1.0 + exp(-g)) * b[i];
#else
    a[i] += b[i % p.width];
#endif
}
