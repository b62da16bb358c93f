package dev.hearth.server.http.openai;

/**
 * A value made on first use, at most once (one request's thread only): parsing that only some paths need. A
 * failure of the maker (a JSON mapping error, a 400) is thrown as it is, checked or not, so that the one error
 * handler maps it exactly as if it had been thrown eagerly.
 */
final class Lazy<T> {
    interface Maker<T> {
        T make() throws Exception;
    }

    private final Maker<T> maker;
    private T value;

    Lazy(Maker<T> maker) {
        this.maker = maker;
    }

    T get() {
        if (value == null) {
            try {
                value = maker.make();
            } catch (Exception e) {
                throw Lazy.<RuntimeException>rethrow(e);
            }
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception e) throws E {
        throw (E) e;
    }
}
