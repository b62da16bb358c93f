package dev.hearth.server.hub;

import dev.hearth.gguf.GgmlType;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Quantization names as they appear in GGUF file names, their average bits per weight, and detection. */
public final class Quantizations {
    private Quantizations() {}

    /** Average bits per weight of llama.cpp's mixes, measured on 7B-class models. */
    private static final Map<String, Double> BITS_PER_WEIGHT = Map.ofEntries(
            Map.entry("Q2_K", 3.35), Map.entry("Q3_K_S", 3.5), Map.entry("Q3_K_M", 3.91), Map.entry("Q3_K_L", 4.27),
            Map.entry("Q4_0", 4.55), Map.entry("Q4_1", 5.0), Map.entry("Q4_K_S", 4.58), Map.entry("Q4_K_M", 4.85),
            Map.entry("Q5_0", 5.54), Map.entry("Q5_1", 6.0), Map.entry("Q5_K_S", 5.54), Map.entry("Q5_K_M", 5.69),
            Map.entry("Q6_K", 6.56), Map.entry("Q8_0", 8.5), Map.entry("F16", 16.0), Map.entry("BF16", 16.0),
            Map.entry("F32", 32.0), Map.entry("IQ4_XS", 4.25), Map.entry("IQ4_NL", 4.5));

    private static final Pattern IN_FILE_NAME = Pattern.compile(
            "(?i)(?<![A-Za-z0-9])(IQ[1-4]_[A-Z]+|Q[2-8]_K(?:_[SML])?|Q[4-8]_[01]|BF16|F16|F32)(?![A-Za-z0-9])");

    public static double bitsPerWeight(String quant) {
        Double bpw = BITS_PER_WEIGHT.get(quant.toUpperCase(Locale.ROOT));
        if (bpw == null) {
            throw new HubException("unknown quantization '" + quant + "'; known: " + String.join(", ",
                    new java.util.TreeSet<>(BITS_PER_WEIGHT.keySet())));
        }
        return bpw;
    }

    public static boolean isKnown(String quant) {
        return BITS_PER_WEIGHT.containsKey(quant.toUpperCase(Locale.ROOT));
    }

    public static long estimateBytes(long parameters, String quant) {
        return (long) Math.ceil(parameters * bitsPerWeight(quant) / 8.0);
    }

    /** The quantization named in a GGUF file name ({@code Qwen2.5-7B-Instruct-Q4_K_M.gguf} gives Q4_K_M). */
    public static String fromFileName(String fileName) {
        Matcher m = IN_FILE_NAME.matcher(fileName);
        String last = null;
        while (m.find()) {
            last = m.group(1).toUpperCase(Locale.ROOT);
        }
        return last;
    }

    /** Whether {@code fileName} names {@code quant} as a whole token (Q4_K does not match Q4_K_M). */
    public static boolean fileHasQuant(String fileName, String quant) {
        Pattern p = Pattern.compile("(?i)(?<![A-Za-z0-9])" + Pattern.quote(quant) + "(?![A-Za-z0-9]|_[A-Za-z0-9])");
        return p.matcher(fileName).find();
    }

    /** llama.cpp's {@code general.file_type} values (enum llama_ftype) for the common mixes. */
    public static String fromFileType(long fileType) {
        return switch ((int) fileType) {
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 30 -> "IQ4_XS";
            case 32 -> "BF16";
            default -> null;
        };
    }

    /** The most common tensor type, a fallback when neither the file type nor the file name tells. */
    public static String fromDominantType(java.util.List<dev.hearth.gguf.GgufTensorInfo> tensors) {
        Map<GgmlType, Long> bytes = new java.util.EnumMap<>(GgmlType.class);
        for (var t : tensors) {
            bytes.merge(t.type(), t.byteSize(), Long::sum);
        }
        return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey().name()).orElse(null);
    }
}
