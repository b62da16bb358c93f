package dev.hearth.gpu;

/**
 * How matmm_coop.comp cuts a blocked product on the matrix units: {@code bm} weight rows (64 or 128) x
 * {@code bn} outputs (16 to 128) per workgroup of {@code invocations} (128 or 256), the columns {@code bk} at a time
 * (32, 64 or 128), {@code stages} buffers of shared memory (2: the next step's tiles stored while this step's are
 * read, one barrier a step; 1: two barriers), and the input read as halves ({@code halves}: halves.comp converted it)
 * or as floats. An invocation decodes 4 to 32 weights of one group a step and copies 8 (halves) or 4 (floats) inputs
 * or more.
 */
record BlockedShape(int bm, int bn, int bk, int stages, boolean halves, int invocations) {
    BlockedShape {
        if ((bm != 64 && bm != 128) || (bn != 16 && bn != 32 && bn != 64 && bn != 128)
                || (bk != 32 && bk != 64 && bk != 128) || (stages != 1 && stages != 2)
                || (invocations != 128 && invocations != 256)) {
            throw new IllegalArgumentException("a blocked product's tiles are 64 or 128 weight rows by 16 to 128 "
                    + "outputs, 32 to 128 columns deep, in 1 or 2 stages, for 128 or 256 invocations; not " + bm + "x"
                    + bn + "x" + bk + " in " + stages + " for " + invocations);
        }
    }

    BlockedShape(int bm, int bn, int bk, int stages, boolean halves) {
        this(bm, bn, bk, stages, halves, 256);
    }

    /**
     * A shape from {@code BMxBNxBK} (-Dhearth.gpu.matmm.shape, e.g. 128x64x32), with the stages and halves given.
     */
    static BlockedShape parse(String spec, int stages, boolean halves) {
        String[] parts = spec.split("x");
        try {
            if (parts.length == 3) {
                return new BlockedShape(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                        Integer.parseInt(parts[2]), stages, halves);
            }
        } catch (NumberFormatException e) {
            // the message below
        }
        throw new IllegalArgumentException("hearth.gpu.matmm.shape must be BMxBNxBK (e.g. 128x64x32), not " + spec);
    }

    BlockedShape withStages(int s) {
        return new BlockedShape(bm, bn, bk, s, halves, invocations);
    }

    BlockedShape withDepth(int k) {
        return new BlockedShape(bm, bn, k, stages, halves, invocations);
    }

    BlockedShape withHalves(boolean h) {
        return new BlockedShape(bm, bn, bk, stages, h, invocations);
    }

    BlockedShape withInvocations(int n) {
        return new BlockedShape(bm, bn, bk, stages, halves, n);
    }

    /** The weights an invocation decodes a step (all in one group of 32). */
    int weightsPerInvocation() {
        return bk * bm / invocations;
    }

    /** The inputs an invocation copies a step. */
    int inputsPerInvocation() {
        return bk * bn / invocations;
    }

    /** The workgroup's shared memory: the stages' weight and input tiles (halves) and a float tile per subgroup. */
    int sharedBytes(int subgroupSize) {
        int rowBytes = 2 * (bk + 8);
        return stages * (bm + bn) * rowBytes + invocations / subgroupSize * 256 * 4;
    }

    /**
     * The shader's defines for subgroups of {@code subgroupSize}: the shape, the subgroup count NS, and the WR x WC
     * block of 16 x 16 output tiles each subgroup sums (as square as it divides the workgroup's tiles).
     */
    String defines(int subgroupSize) {
        int subgroups = invocations / subgroupSize;
        int tiles = (bm / 16) * (bn / 16) / subgroups;
        int wr = 0;  // the squarest WR x WC block whose blocks cover the tiles once
        for (int r = 1; r <= bm / 16 && tiles > 0; r *= 2) {
            int c = tiles / r;
            if (r * c == tiles && (bn / 16) % c == 0 && (bm / 16 / r) * (bn / 16 / c) == subgroups
                    && (wr == 0 || Math.abs(r - c) < Math.abs(wr - tiles / wr))) {
                wr = r;
            }
        }
        if (wr == 0) {
            throw new IllegalArgumentException(this + " does not divide among " + subgroups + " subgroups");
        }
        int wc = tiles / wr;
        int wv = weightsPerInvocation();
        int xv = inputsPerInvocation();
        if (wv < 4 || wv > 32 || xv % (halves ? 8 : 4) != 0) {
            throw new IllegalArgumentException(this + ": an invocation would decode " + wv + " weights (4 to 32) and "
                    + "copy " + xv + " inputs (a multiple of " + (halves ? 8 : 4) + ") a step");
        }
        return "BM " + bm + "u;BN " + bn + "u;BK " + bk + "u;STAGES " + stages + ";XH " + (halves ? 1 : 0) + ";NI "
                + invocations + ";NS " + subgroups + "u;WR " + wr + "u;WC " + wc + "u";
    }

    @Override
    public String toString() {
        return bm + "x" + bn + "x" + bk + " in " + stages + " stage" + (stages == 1 ? "" : "s")
                + (halves ? ", halves in" : ", floats in")
                + (invocations == 256 ? "" : ", " + invocations + " invocations");
    }
}
