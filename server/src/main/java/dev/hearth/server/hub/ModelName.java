package dev.hearth.server.hub;

import java.util.regex.Pattern;

/**
 * A local model name, {@code base[:tag]}, e.g. {@code qwen2.5:7b} or {@code my-model}. The tag defaults to
 * {@code latest}. Names become file names in the store, so they are validated strictly: letters, digits, '.', '_'
 * and '-' only, starting with a letter or digit, no "..", at most 100 characters per part. This rejects path
 * traversal ({@code ../x}), absolute paths, separators and control characters with a message naming the problem.
 */
public record ModelName(String base, String tag) {
    public static final String DEFAULT_TAG = "latest";
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public ModelName {
        checkPart(base, "name", base);
        checkPart(tag, "tag", base + ":" + tag);
        base = base.toLowerCase(java.util.Locale.ROOT);
        tag = tag.toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses and validates; throws {@link HubException} with the reason. */
    public static ModelName parse(String text) {
        if (text == null || text.isBlank()) {
            throw new HubException("model name is empty");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new ModelName(text, DEFAULT_TAG);
        }
        if (text.indexOf(':', colon + 1) >= 0) {
            throw new HubException("invalid model name '" + printable(text) + "': more than one ':'");
        }
        return new ModelName(text.substring(0, colon), text.substring(colon + 1));
    }

    private static void checkPart(String part, String what, String whole) {
        if (part == null || part.isEmpty()) {
            throw new HubException("invalid model name '" + printable(whole) + "': empty " + what);
        }
        if (part.contains("/") || part.contains("\\")) {
            throw new HubException("invalid model name '" + printable(whole) + "': path separators are not allowed");
        }
        if (part.contains("..")) {
            throw new HubException("invalid model name '" + printable(whole) + "': '..' is not allowed");
        }
        if (!PART.matcher(part).matches()) {
            throw new HubException("invalid model name '" + printable(whole) + "': the " + what
                    + " must start with a letter or digit and hold only letters, digits, '.', '_' and '-'"
                    + " (at most 100 characters)");
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return base + ":" + tag;
    }
}
