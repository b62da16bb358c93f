// The end of a decode product (matvec.comp and the matvec_<type>.comp kernels): each invocation's NR x MAXOUT partial
// sums are added across the workgroup (subgroupAdd, then one shared slot per subgroup; or a shared-memory tree where
// the device lacks subgroup arithmetic) and y[o, row] is written for the rows and outputs in range. The includer
// declares y, p.rows, WG, NR, MAXOUT and SUBGROUPS, and enables GL_EXT_control_flow_attributes (constant loops are
// unrolled: an accumulator array indexed in a loop that is not would live in local memory).
shared float partial[NR * MAXOUT][WG];  // per subgroup (SUBGROUPS 1) or per invocation (0)

void reduceAndStore(float acc[NR * MAXOUT], uint tid, uint firstRow, uint firstOut, uint outs) {
#if SUBGROUPS
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) {
        float s = subgroupAdd(acc[i]);
        if (subgroupElect()) { partial[i][gl_SubgroupID] = s; }
    }
    barrier();
    if (tid < NR * MAXOUT) {
        uint r = tid / MAXOUT;
        uint o = tid % MAXOUT;
        if (firstRow + r < p.rows && o < outs) {
            float s = 0.0;
            for (uint i = 0u; i < gl_NumSubgroups; i++) { s += partial[tid][i]; }
            y[(firstOut + o) * p.rows + firstRow + r] = s;
        }
    }
#else
    [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { partial[i][tid] = acc[i]; }
    barrier();
    for (uint s = WG / 2u; s > 0u; s >>= 1) {
        if (tid < s) {
            [[unroll]] for (uint i = 0u; i < NR * MAXOUT; i++) { partial[i][tid] += partial[i][tid + s]; }
        }
        barrier();
    }
    if (tid < NR * MAXOUT) {
        uint r = tid / MAXOUT;
        uint o = tid % MAXOUT;
        if (firstRow + r < p.rows && o < outs) { y[(firstOut + o) * p.rows + firstRow + r] = partial[tid][0]; }
    }
#endif
}
