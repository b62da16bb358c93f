package dev.hearth.server.cli;

import dev.hearth.quant.QuantRecipe;
import dev.hearth.server.convert.HfConverter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hearth quantize HF_DIR OUT.gguf --type ...}: a Hugging Face safetensors checkpoint to a GGUF model. */
@Command(name = "quantize", description = "Convert a Hugging Face model folder (safetensors) to a GGUF file.")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Folder with config.json, tokenizer.json and/or a SentencePiece "
            + "tokenizer.model, and *.safetensors.")
    Path source;

    @Parameters(index = "1", description = "The GGUF file to write (appears only when complete).")
    Path out;

    @Option(names = "--type", description = "Q4_K_M (default), Q4_0, Q8_0, F16; also F32, BF16, Q5_K_M, Q6_K, ...")
    String type = "Q4_K_M";

    @Option(names = "--threads", description = "Encoder threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public Integer call() throws Exception {
        QuantRecipe recipe = QuantRecipe.parse(type);
        long started = System.nanoTime();
        HfConverter.Result r = HfConverter.convert(source, out, recipe, threads, System.out);
        System.out.printf("wrote %s: %d tensors, %.1f MB in %.1f s%n", out, r.tensors().size(), r.bytes() / 1e6,
                (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
