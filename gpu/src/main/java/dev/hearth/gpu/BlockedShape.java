package dev.hearth.gpu;

/**
 * How matmm_coop.comp cuts a blocked product on the matrix units: {@code bm} weight rows x {@code bn} outputs per
 * workgroup of 256 invocations (64 or 128 each), the columns {@code bk} at a time (32 or 64), {@code stages} buffers
 * of shared memory (2: the next step's tiles stored while this step's are read, one barrier a step; 1: two barriers),
 * and the input read as halves ({@code halves}: halves.comp converted it) or as floats.
 */
record BlockedShape(int bm, int bn, int bk, int stages, boolean halves) {
    private static final int INVOCATIONS = 256;

    BlockedShape {
        if ((bm != 64 && bm != 128) || (bn != 64 && bn != 128) || (bk != 32 && bk != 64)
                || (stages != 1 && stages != 2)) {
            throw new IllegalArgumentException("a blocked product's tiles are 64 or 128 wide each way, 32 or 64 columns "
                    + "deep, in 1 or 2 stages; not " + bm + "x" + bn + "x" + bk + " in " + stages);
        }
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
        return new BlockedShape(bm, bn, bk, s, halves);
    }

    BlockedShape withDepth(int k) {
        return new BlockedShape(bm, bn, k, stages, halves);
    }

    BlockedShape withHalves(boolean h) {
        return new BlockedShape(bm, bn, bk, stages, h);
    }

    /** The workgroup's shared memory: the stages' weight and input tiles (halves) and a float tile per subgroup. */
    int sharedBytes(int subgroupSize) {
        int rowBytes = 2 * (bk + 8);
        return stages * (bm + bn) * rowBytes + INVOCATIONS / subgroupSize * 256 * 4;
    }

    /**
     * The shader's defines for subgroups of {@code subgroupSize}: the shape, the subgroup count NS, and the WR x WC
     * block of 16 x 16 output tiles each subgroup sums (as square as it divides the workgroup's tiles).
     */
    String defines(int subgroupSize) {
        int subgroups = INVOCATIONS / subgroupSize;
        int tiles = (bm / 16) * (bn / 16) / subgroups;
        int wr = Math.min(bm / 16, 1 << (Integer.numberOfTrailingZeros(tiles) / 2));
        int wc = tiles / wr;
        int alongRows = bm / 16 / wr;
        if (tiles == 0 || subgroups % alongRows != 0 || subgroups / alongRows * wc != bn / 16) {
            throw new IllegalArgumentException(this + " does not divide among " + subgroups + " subgroups");
        }
        return "BM " + bm + "u;BN " + bn + "u;BK " + bk + "u;STAGES " + stages + ";XH " + (halves ? 1 : 0) + ";NS "
                + subgroups + "u;WR " + wr + "u;WC " + wc + "u";
    }

    @Override
    public String toString() {
        return bm + "x" + bn + "x" + bk + " in " + stages + " stage" + (stages == 1 ? "" : "s")
                + (halves ? ", halves in" : ", floats in");
    }
}
