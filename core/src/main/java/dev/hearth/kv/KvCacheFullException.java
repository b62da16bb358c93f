package dev.hearth.kv;

/** A sequence asked for a position beyond the context length the cache was sized for. */
public final class KvCacheFullException extends IllegalStateException {
    public KvCacheFullException(String message) {
        super(message);
    }
}
