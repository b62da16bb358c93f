// The input and output of a decode product (matvec.comp and the matvec_<type>.comp kernels): x (binding 1), y (2)
// and the push constants; the includer declares WG, NR, MAXOUT, SUBGROUPS and the defines below, and calls
// inputBegin(firstOut) before any inputAt. By define:
// - GLU 1, up (3): the input is silu(x) * up, the SwiGLU of a feed-forward fused into its down product.
// - NORM 1, the norm's weights (4): the input is x's row RMS-normalized and scaled by the weights. The mean square
//   is summed from the product's own reads of x (each workgroup reads every value of its input rows once; the generic
//   kernel, which reads them once per weight row, counts its first row's reads only) and applied to the sums at the
//   end, so a layer's norm needs no pass of its own.
// - BIAS 1, b (5): y[o, row] = sum + b[row].
// - RESID 1: y[o, row] += sum: the residual add of an attention or feed-forward output, into the stream itself.
// - RMSP 1, per-run sums of squares (10): the 8-bit input was quantized from x scaled by the norm's weights but not
//   by its RMS (a product's run tail, matvec_tail.glsl, wrote it); the RMS is summed from the tail's sums of squares
//   of x (cols / 32 a row) and applied to the sums at the end, as NORM does.
// - QOUT 1 / GLUOUT 1: the product ends in matvec_tail.glsl's run tail (y is read back there: coherent).
layout(std430, binding = 1) readonly buffer X { vec4 x4[]; };
#if QOUT || GLUOUT
#define Y_ACCESS coherent
#else
#define Y_ACCESS
#endif
#if RESID
layout(std430, binding = 2) Y_ACCESS buffer Y { float y[]; };
#else
layout(std430, binding = 2) Y_ACCESS writeonly buffer Y { float y[]; };
#endif
#if GLU
layout(std430, binding = 3) readonly buffer Up { vec4 up4[]; };
#endif
#if NORM
layout(std430, binding = 4) readonly buffer Norm { vec4 norm4[]; };
#endif
#if BIAS
layout(std430, binding = 5) readonly buffer Bias { float bias[]; };
#endif
#if RMSP
layout(std430, binding = 10) readonly buffer Partials { float partialsIn[]; };
#endif
layout(push_constant) uniform P { uint rows; uint cols; uint numOut; uint rowBytes; float eps; } p;

uint inputFirstOut;
float squares[MAXOUT];  // NORM: this invocation's sum of x^2 per output row

void inputBegin(uint firstOut) {
    inputFirstOut = firstOut;
    [[unroll]] for (uint o = 0u; o < MAXOUT; o++) { squares[o] = 0.0; }
}

#if RMSP
// this invocation's share of each output row's sum of squares, from the run tail's sums: called after the product's
// loop, so that the sums are not held in registers through it
void inputSquares() {
    uint runs = p.cols >> 5;
    [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
        if (inputFirstOut + o < p.numOut) {
            for (uint i = gl_LocalInvocationID.x; i < runs; i += WG) {
                squares[o] += partialsIn[(inputFirstOut + o) * runs + i];
            }
        }
    }
}
#endif

// vec4 c4 of the input of output row o (of this workgroup's); NORM: its squares are summed unless counted is false
vec4 inputOf(uint o, uint c4, bool counted) {
    uint i = (inputFirstOut + o) * (p.cols >> 2) + c4;
    vec4 v = x4[i];
#if GLU
    return v / (1.0 + exp(-v)) * up4[i];
#elif NORM
    if (counted) { squares[o] += dot(v, v); }
    return v * norm4[c4];
#else
    return v;
#endif
}

vec4 inputAt(uint o, uint c4) { return inputOf(o, c4, true); }
