package dev.hearth.model;

import static dev.hearth.gguf.GgufKeys.block;

import dev.hearth.gguf.GgufException;
import dev.hearth.gguf.GgufFile;
import dev.hearth.gguf.GgufKeys;
import dev.hearth.gguf.GgufTensorInfo;
import dev.hearth.kernel.Kernels;
import dev.hearth.kernel.WeightPacker;
import dev.hearth.tensor.WeightMatrix;

/**
 * All weights of a model, checked against the config's shapes; the matrices stay in the mapped file, with the copies
 * the kernels want made by the {@link WeightPacker} (an untied token embedding is only looked up, so it gets none).
 */
public record ModelWeights(WeightMatrix tokenEmbedding, LayerWeights[] layers, float[] outputNorm,
        WeightMatrix output) {

    public static ModelWeights load(GgufFile file, ModelConfig c, WeightPacker packer) {
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = layer(file, c, l, packer);
        }
        WeightMatrix embedding = c.tiedOutput() ? matrix(file, GgufKeys.TOKEN_EMBD, c.vocabSize(), c.dim(), packer)
                : lookupTable(file, GgufKeys.TOKEN_EMBD, c.vocabSize(), c.dim());
        WeightMatrix output = c.tiedOutput() ? embedding : matrix(file, GgufKeys.OUTPUT, c.vocabSize(), c.dim(), packer);
        return new ModelWeights(embedding, layers, vector(file, GgufKeys.OUTPUT_NORM, c.dim()), output);
    }

    private static LayerWeights layer(GgufFile file, ModelConfig c, int l, WeightPacker packer) {
        boolean bias = c.hasQkvBiases();
        boolean qkNorm = c.hasQkNorms();
        return new LayerWeights(
                vector(file, block(GgufKeys.ATTN_NORM, l), c.dim()),
                matrix(file, block(GgufKeys.ATTN_Q, l), c.queryDim(), c.dim(), packer),
                matrix(file, block(GgufKeys.ATTN_K, l), c.kvDim(), c.dim(), packer),
                matrix(file, block(GgufKeys.ATTN_V, l), c.kvDim(), c.dim(), packer),
                bias ? vector(file, block(GgufKeys.ATTN_Q_BIAS, l), c.queryDim()) : null,
                bias ? vector(file, block(GgufKeys.ATTN_K_BIAS, l), c.kvDim()) : null,
                bias ? vector(file, block(GgufKeys.ATTN_V_BIAS, l), c.kvDim()) : null,
                qkNorm ? vector(file, block(GgufKeys.ATTN_Q_NORM, l), c.headSize()) : null,
                qkNorm ? vector(file, block(GgufKeys.ATTN_K_NORM, l), c.headSize()) : null,
                matrix(file, block(GgufKeys.ATTN_OUTPUT, l), c.dim(), c.queryDim(), packer),
                vector(file, block(GgufKeys.FFN_NORM, l), c.dim()),
                c.isMixtureOfExperts() ? experts(file, c, l, packer) : new FeedForward.Dense(
                        matrix(file, block(GgufKeys.FFN_GATE, l), c.ffnLength(), c.dim(), packer),
                        matrix(file, block(GgufKeys.FFN_UP, l), c.ffnLength(), c.dim(), packer),
                        matrix(file, block(GgufKeys.FFN_DOWN, l), c.dim(), c.ffnLength(), packer)));
    }

    private static FeedForward.Experts experts(GgufFile file, ModelConfig c, int l, WeightPacker packer) {
        int n = c.expertCount();
        WeightMatrix router = matrix(file, block(GgufKeys.FFN_GATE_INP, l), n, c.dim(), packer);
        return new FeedForward.Experts(router,
                expertMatrices(file, block(GgufKeys.FFN_GATE_EXPS, l), c.ffnLength(), c.dim(), n, packer),
                expertMatrices(file, block(GgufKeys.FFN_UP_EXPS, l), c.ffnLength(), c.dim(), n, packer),
                expertMatrices(file, block(GgufKeys.FFN_DOWN_EXPS, l), c.dim(), c.ffnLength(), n, packer));
    }

    private static WeightMatrix[] expertMatrices(GgufFile file, String name, int rows, int cols, int experts,
            WeightPacker packer) {
        GgufTensorInfo t = file.tensor(name);
        requireShape(t, cols, rows, experts);
        WeightMatrix[] m = new WeightMatrix[experts];
        for (int e = 0; e < experts; e++) {
            m[e] = packer.prepare(WeightMatrix.expert(file, t, e));
        }
        return m;
    }

    /** A matrix of the given rows x cols (GGML shape [cols, rows]). */
    private static WeightMatrix matrix(GgufFile file, String name, int rows, int cols, WeightPacker packer) {
        return packer.prepare(lookupTable(file, name, rows, cols));
    }

    /** A matrix read only a row at a time (an embedding lookup): left in the file's layout. */
    private static WeightMatrix lookupTable(GgufFile file, String name, int rows, int cols) {
        GgufTensorInfo t = file.tensor(name);
        requireShape(t, cols, rows);
        return WeightMatrix.of(file, t);
    }

    /** A 1-D tensor of n values, copied to floats. */
    private static float[] vector(GgufFile file, String name, int n) {
        GgufTensorInfo t = file.tensor(name);
        requireShape(t, n);
        float[] v = new float[n];
        Kernels.dequantizeRow(WeightMatrix.of(file, t), 0, v, 0);
        return v;
    }

    private static void requireShape(GgufTensorInfo t, long... expected) {
        boolean ok = t.shape().length <= expected.length;
        for (int i = 0; i < expected.length && ok; i++) {
            ok = t.dim(i) == expected[i];
        }
        if (!ok) {
            throw new GgufException("tensor '" + t.name() + "' has shape " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(expected));
        }
    }
}
