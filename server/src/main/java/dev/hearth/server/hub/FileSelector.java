package dev.hearth.server.hub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks the GGUF file(s) a {@link PullRef} means from a repository listing: an exact path, the catalogue's file
 * stem, or the files naming the quantization. Split models ({@code NAME-00001-of-00003.gguf}) come back as all
 * their shards, in order, after checking none is missing.
 */
public final class FileSelector {
    private static final Pattern SHARD = Pattern.compile("(?i)^(.*)-(\\d{5})-of-(\\d{5})\\.gguf$");

    private FileSelector() {}

    public static List<HfRepoFile> select(PullRef ref, List<HfRepoFile> listing) {
        List<HfRepoFile> ggufs = listing.stream()
                .filter(f -> f.path().toLowerCase(Locale.ROOT).endsWith(".gguf")).toList();
        if (ref.file() != null) {
            HfRepoFile exact = ggufs.stream().filter(f -> f.path().equals(ref.file())).findFirst()
                    .orElseThrow(() -> new HubException("file '" + ref.file() + "' is not in " + ref.repo()
                            + "; GGUF files there: " + names(ggufs)));
            Matcher m = SHARD.matcher(exact.path());
            return m.matches() ? shardsOf(m.group(1), ggufs, ref) : List.of(exact);
        }
        Map<String, List<HfRepoFile>> groups = group(ggufs);
        if (ref.fileStem() != null) {
            for (var e : groups.entrySet()) {
                String base = e.getKey().substring(e.getKey().lastIndexOf('/') + 1);
                if (base.equalsIgnoreCase(ref.fileStem())) {
                    return complete(e.getKey(), e.getValue(), ref);
                }
            }
        }
        List<String> matching = new ArrayList<>();
        for (String stem : groups.keySet()) {
            String base = stem.substring(stem.lastIndexOf('/') + 1);
            if (ref.quant() == null || Quantizations.fileHasQuant(base, ref.quant())) {
                matching.add(stem);
            }
        }
        if (ref.quant() == null && matching.size() > 1) {
            List<String> defaults = matching.stream()
                    .filter(s -> Quantizations.fileHasQuant(s, CatalogueEntry.DEFAULT_QUANT)).toList();
            if (defaults.size() == 1) {
                matching = defaults;
            }
        }
        if (matching.size() == 1) {
            return complete(matching.getFirst(), groups.get(matching.getFirst()), ref);
        }
        if (matching.isEmpty()) {
            TreeSet<String> quants = new TreeSet<>();
            groups.keySet().forEach(s -> {
                String q = Quantizations.fromFileName(s);
                if (q != null) {
                    quants.add(q);
                }
            });
            throw new HubException(ggufs.isEmpty() ? ref.repo() + " has no .gguf files"
                    : "no " + (ref.quant() == null ? "" : ref.quant() + " ") + "GGUF file in " + ref.repo()
                    + "; quantizations there: " + (quants.isEmpty() ? names(ggufs) : String.join(", ", quants)));
        }
        throw new HubException("'" + (ref.quant() == null ? ref.repo() : ref.repo() + ":" + ref.quant())
                + "' matches several files; name one with hf://" + ref.repo() + "/FILE.gguf: " + matching);
    }

    /** Groups files by stem: a shard set under its common prefix, a single file under its name minus ".gguf". */
    private static Map<String, List<HfRepoFile>> group(List<HfRepoFile> ggufs) {
        Map<String, List<HfRepoFile>> groups = new TreeMap<>();
        for (HfRepoFile f : ggufs) {
            Matcher m = SHARD.matcher(f.path());
            String stem = m.matches() ? m.group(1) : f.path().substring(0, f.path().length() - 5);
            groups.computeIfAbsent(stem, k -> new ArrayList<>()).add(f);
        }
        return groups;
    }

    private static List<HfRepoFile> complete(String stem, List<HfRepoFile> files, PullRef ref) {
        if (files.size() == 1 && !SHARD.matcher(files.getFirst().path()).matches()) {
            return files;
        }
        return shardsOf(stem, files, ref);
    }

    private static List<HfRepoFile> shardsOf(String stem, List<HfRepoFile> all, PullRef ref) {
        List<HfRepoFile> shards = new ArrayList<>();
        int expected = -1;
        for (HfRepoFile f : all) {
            Matcher m = SHARD.matcher(f.path());
            if (m.matches() && m.group(1).equals(stem)) {
                int of = Integer.parseInt(m.group(3));
                if (expected >= 0 && of != expected) {
                    throw new HubException("split model " + stem + " in " + ref.repo() + " has shards of different"
                            + " counts (" + expected + " and " + of + ")");
                }
                expected = of;
                shards.add(f);
            }
        }
        shards.sort(Comparator.comparing(HfRepoFile::path));
        for (int i = 0; i < shards.size(); i++) {
            Matcher m = SHARD.matcher(shards.get(i).path());
            m.matches();
            if (Integer.parseInt(m.group(2)) != i + 1) {
                throw new HubException("split model " + stem + " in " + ref.repo() + " is missing shard " + (i + 1)
                        + " of " + expected);
            }
        }
        if (shards.size() != expected) {
            throw new HubException("split model " + stem + " in " + ref.repo() + " has " + shards.size() + " of "
                    + expected + " shards");
        }
        return shards;
    }

    private static String names(List<HfRepoFile> files) {
        return files.isEmpty() ? "(none)" : String.join(", ", files.stream().map(HfRepoFile::path).toList());
    }
}
