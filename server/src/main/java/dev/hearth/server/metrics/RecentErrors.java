package dev.hearth.server.metrics;

import java.util.ArrayDeque;
import java.util.List;

/** The last few failed requests (time, endpoint, status, message), for the dashboard; bounded, thread-safe. */
public final class RecentErrors {
    /** One failed request; {@code epochMillis} is when it was answered. */
    public record Entry(long epochMillis, String endpoint, int status, String message) {}

    private static final int MAX_MESSAGE = 300;
    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    public RecentErrors(int capacity) {
        this.capacity = capacity;
    }

    public void add(String endpoint, int status, String message) {
        String text = message == null ? "" : message.length() > MAX_MESSAGE
                ? message.substring(0, MAX_MESSAGE) + "..." : message;
        synchronized (entries) {
            if (entries.size() == capacity) {
                entries.removeFirst();
            }
            entries.addLast(new Entry(System.currentTimeMillis(), endpoint, status, text));
        }
    }

    public List<Entry> list() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }
}
