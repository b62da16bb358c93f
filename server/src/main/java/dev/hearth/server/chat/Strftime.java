package dev.hearth.server.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** C {@code strftime} for the directives chat templates use, in the C locale. */
final class Strftime {
    private Strftime() {}

    static String format(String pattern, ZonedDateTime t) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 == pattern.length()) {
                out.append(c);
                continue;
            }
            char d = pattern.charAt(++i);
            switch (d) {
                case 'd' -> out.append(two(t.getDayOfMonth()));
                case 'e' -> out.append(t.getDayOfMonth() < 10 ? " " : "").append(t.getDayOfMonth());
                case 'm' -> out.append(two(t.getMonthValue()));
                case 'Y' -> out.append(t.getYear());
                case 'y' -> out.append(two(t.getYear() % 100));
                case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'H' -> out.append(two(t.getHour()));
                case 'I' -> out.append(two((t.getHour() + 11) % 12 + 1));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'M' -> out.append(two(t.getMinute()));
                case 'S' -> out.append(two(t.getSecond()));
                case 'j' -> out.append(String.format(Locale.ROOT, "%03d", t.getDayOfYear()));
                case 'F' -> out.append(format("%Y-%m-%d", t));
                case 'T' -> out.append(format("%H:%M:%S", t));
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
