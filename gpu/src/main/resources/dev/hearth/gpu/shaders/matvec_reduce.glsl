// The end of a decode product (matvec.comp and the matvec_<type>.comp kernels): each invocation's NR x MAXOUT partial
// sums (and with NORM its MAXOUT sums of squares) are added across the workgroup (subgroupAdd, then one shared slot
// per subgroup; or a shared-memory tree where the device lacks subgroup arithmetic) and y[o, row] is written for the
// rows and outputs in range, as matvec_io.glsl's defines say. The includer declares WG, NR, MAXOUT and SUBGROUPS,
// includes matvec_io.glsl first, and enables GL_EXT_control_flow_attributes (constant loops are unrolled: an
// accumulator array indexed in a loop that is not would live in local memory).
#if NORM || RMSP
#define SUMS (NR * MAXOUT + MAXOUT)
#else
#define SUMS (NR * MAXOUT)
#endif
shared float partial[SUMS][WG];  // per subgroup (SUBGROUPS 1) or per invocation (0)

// the finished sum s of weight row `row` for output row o (of this workgroup's), given the workgroup's sum of squares
void store(float s, float squaresSum, uint row, uint o) {
#if NORM || RMSP
    s *= inversesqrt(squaresSum / float(p.cols) + p.eps);
#endif
#if BIAS
    s += bias[row];
#endif
    uint at = (inputFirstOut + o) * p.rows + row;
#if RESID
    y[at] += s;
#else
    y[at] = s;
#endif
}

void reduceAndStore(float acc[NR * MAXOUT], uint tid, uint firstRow, uint firstOut, uint outs) {
#if RMSP
    inputSquares();
#endif
#if SUBGROUPS
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) {
        float s = subgroupAdd(acc[i]);
        if (subgroupElect()) { partial[i][gl_SubgroupID] = s; }
    }
#if NORM || RMSP
    [[unroll]] for (uint o = 0u; o < MAXOUT; o++) {
        float s = subgroupAdd(squares[o]);
        if (subgroupElect()) { partial[NR * MAXOUT + o][gl_SubgroupID] = s; }
    }
#endif
    barrier();
    if (tid < NR * MAXOUT) {
        uint r = tid / MAXOUT;
        uint o = tid % MAXOUT;
        if (firstRow + r < p.rows && o < outs) {
            float s = 0.0;
            float sq = 0.0;
            for (uint i = 0u; i < gl_NumSubgroups; i++) {
                s += partial[tid][i];
#if NORM || RMSP
                sq += partial[NR * MAXOUT + o][i];
#endif
            }
            store(s, sq, firstRow + r, o);
        }
    }
#else
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { partial[i][tid] = acc[i]; }
#if NORM || RMSP
    [[unroll]] for (uint o = 0u; o < MAXOUT; o++) { partial[NR * MAXOUT + o][tid] = squares[o]; }
#endif
    barrier();
    for (uint s = WG / 2u; s > 0u; s >>= 1) {
        if (tid < s) {
            [[unroll]] for (uint i = 0u; i < SUMS; i++) { partial[i][tid] += partial[i][tid + s]; }
        }
        barrier();
    }
    if (tid < NR * MAXOUT) {
        uint r = tid / MAXOUT;
        uint o = tid % MAXOUT;
#if NORM || RMSP
        float sq = partial[NR * MAXOUT + o][0];
#else
        float sq = 0.0;
#endif
        if (firstRow + r < p.rows && o < outs) { store(partial[tid][0], sq, firstRow + r, o); }
    }
#endif
}
