package dev.hearth.kernel;

import java.io.BufferedReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the kernel says of a file mapping's pages: how much of it is mapped in huge pages ({@code /proc/self/smaps}). */
final class MappedPages {
    private static final Path SMAPS = Path.of("/proc/self/smaps");

    private MappedPages() {}

    /**
     * Bytes of the mapping that starts at {@code mapping}'s address mapped in huge pages (its FilePmdMapped), or -1
     * where the system does not say (no /proc, no such mapping, a kernel without the field).
     */
    static long hugeFileBytes(MemorySegment mapping) {
        String start = Long.toHexString(mapping.address()) + "-";
        try (BufferedReader in = Files.newBufferedReader(SMAPS, StandardCharsets.US_ASCII)) {
            boolean inside = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isEmpty() && Character.digit(line.charAt(0), 16) >= 0 && line.indexOf('-') > 0
                        && line.indexOf(' ') > line.indexOf('-')) {  // a mapping's header: "start-end perms ..."
                    if (inside) {
                        return -1;
                    }
                    inside = line.startsWith(start);
                } else if (inside && line.startsWith("FilePmdMapped:")) {
                    return kilobytes(line) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long kilobytes(String line) {
        String value = line.substring(line.indexOf(':') + 1).trim();
        return Long.parseLong(value.substring(0, value.indexOf(' ')));
    }
}
