package dev.hearth.server.hub;

import java.util.Locale;

/** Byte counts for people: 1.5 GB style (decimal units, as model sizes are published) and parsing of "64G". */
public final class Bytes {
    private Bytes() {}

    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** Parses 64G, 64GB, 64GiB, 512M, 1T or plain bytes; G/GB are 10^9, GiB 2^30. */
    public static long parse(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT).replace(" ", "");
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new HubException("cannot parse size '" + text + "': expected a number like 64G or 512M");
        }
        double n = Double.parseDouble(t.substring(0, i));
        String unit = t.substring(i);
        double mult = switch (unit) {
            case "", "B" -> 1;
            case "K", "KB" -> 1e3;
            case "M", "MB" -> 1e6;
            case "G", "GB" -> 1e9;
            case "T", "TB" -> 1e12;
            case "KIB" -> 1024.0;
            case "MIB" -> 1024.0 * 1024;
            case "GIB" -> 1024.0 * 1024 * 1024;
            case "TIB" -> 1024.0 * 1024 * 1024 * 1024;
            default -> throw new HubException("cannot parse size '" + text + "': unknown unit '" + unit + "'");
        };
        return (long) (n * mult);
    }
}
