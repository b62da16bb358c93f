package dev.hearth.gpu;

/**
 * A product's input rows: {@code floats}, and where the product runs on the matrix units, the same rows as halves
 * ({@code halves}, null otherwise), converted once for every product that reads them (GpuKernels.productInput).
 */
record ProductInput(GpuBuffer floats, GpuBuffer halves) {
}
