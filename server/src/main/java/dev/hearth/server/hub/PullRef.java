package dev.hearth.server.hub;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code hearth pull} was asked for, resolved to a Hugging Face repository: {@code repo}, then either a
 * quantization to find among the repository's GGUF files or an exact file path, and a revision.
 *
 * <p>Accepted forms: a catalogue name ({@code qwen2.5:7b}, {@code qwen2.5:7b-q8_0}) and
 * {@code hf://OWNER/REPO[:QUANT | /FILE.gguf][@REVISION]}.
 *
 * @param localName  the name the model gets in the store
 * @param repo       {@code owner/name}
 * @param quant      quantization to select, or null (with a file, or to take the repo's only GGUF)
 * @param file       exact file path in the repository, or null
 * @param fileStem   preferred file name without extension (catalogue), or null
 * @param revision   branch, tag or commit; {@code main} by default
 */
public record PullRef(String localName, String repo, String quant, String file, String fileStem, String revision) {
    public static final String DEFAULT_REVISION = "main";
    private static final Pattern HF = Pattern.compile(
            "hf://([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)(?::([A-Za-z0-9_]+)|/([^@]+))?(?:@(.+))?");

    public static PullRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new HubException("nothing to pull: give a catalogue name (e.g. qwen2.5:7b) or hf://OWNER/REPO");
        }
        String t = text.strip();
        if (t.startsWith("hf://")) {
            return parseHf(t);
        }
        Catalogue.Selection s = Catalogue.lookup(t).orElseThrow(() -> new HubException("'" + t
                + "' is not in the catalogue (see 'hearth catalogue'); for any Hugging Face GGUF repository use"
                + " hf://OWNER/REPO[:QUANT]"));
        CatalogueEntry e = s.entry();
        return new PullRef(s.localName(), e.repo(), s.quant(), null, e.fileStem(s.quant()), DEFAULT_REVISION);
    }

    private static PullRef parseHf(String t) {
        Matcher m = HF.matcher(t);
        if (!m.matches()) {
            throw new HubException("cannot parse '" + t + "': expected hf://OWNER/REPO[:QUANT or /FILE.gguf][@REVISION]");
        }
        String owner = m.group(1);
        String name = m.group(2);
        String quant = m.group(3) == null ? null : m.group(3).toUpperCase(Locale.ROOT);
        String file = m.group(4);
        String revision = m.group(5) == null ? DEFAULT_REVISION : m.group(5);
        if (file != null) {
            if (!file.toLowerCase(Locale.ROOT).endsWith(".gguf")) {
                throw new HubException("'" + file + "' is not a .gguf file; hearth pulls GGUF models");
            }
            if (file.startsWith("/") || file.contains("..") || file.contains("\\")) {
                throw new HubException("invalid file path '" + file + "' in '" + t + "'");
            }
        }
        if (revision.contains("..") || revision.isBlank()) {
            throw new HubException("invalid revision '" + revision + "' in '" + t + "'");
        }
        String base = name.toLowerCase(Locale.ROOT).replaceAll("-gguf$", "");
        String tag = quant != null ? quant : file != null ? tagFromFile(file) : ModelName.DEFAULT_TAG;
        return new PullRef(ModelName.parse(sanitize(base) + ":" + sanitize(tag)).toString(), owner + "/" + name,
                quant, file, null, revision);
    }

    private static String tagFromFile(String file) {
        String q = Quantizations.fromFileName(file);
        if (q != null) {
            return q;
        }
        String base = file.substring(file.lastIndexOf('/') + 1);
        return base.substring(0, base.length() - ".gguf".length());
    }

    private static String sanitize(String s) {
        String r = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("\\.\\.+", ".");
        r = r.replaceAll("^[^a-z0-9]+", "");
        if (r.length() > 100) {
            r = r.substring(0, 100);
        }
        return r.isEmpty() ? "model" : r;
    }

    public String source() {
        return "hf://" + repo;
    }
}
