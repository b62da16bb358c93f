package dev.hearth.device;

/**
 * How many transformer layers to run on the GPU ({@code --gpu-layers N|all|auto}). A count below the model's layers
 * splits the forward pass: the first layers on the CPU, the last N and the output head on the GPU. Auto puts as many
 * of the last layers on the best GPU as fit its memory (and {@code --gpu-memory}), the rest on the CPU.
 */
public record GpuLayers(Mode mode, int count) {
    public enum Mode { ALL, AUTO, COUNT }

    public static final GpuLayers ALL = new GpuLayers(Mode.ALL, 0);
    public static final GpuLayers AUTO = new GpuLayers(Mode.AUTO, 0);

    public GpuLayers {
        if (count < 0) {
            throw new IllegalArgumentException("--gpu-layers must be 0 or more, 'all' or 'auto'; got " + count);
        }
    }

    /** Parses {@code all}, {@code auto} or a count; a clear message otherwise. */
    public static GpuLayers parse(String text) {
        String s = text.strip().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "all" -> ALL;
            case "auto" -> AUTO;
            default -> {
                try {
                    yield new GpuLayers(Mode.COUNT, Integer.parseInt(s));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--gpu-layers takes a layer count, 'all' or 'auto'; got '"
                            + text + "'");
                }
            }
        };
    }

    @Override
    public String toString() {
        return mode == Mode.COUNT ? Integer.toString(count) : mode.name().toLowerCase(java.util.Locale.ROOT);
    }
}
