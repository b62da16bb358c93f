package dev.hearth.server.route;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An upstream response body as the HTTP client delivers it, read with a deadline: the client's thread queues the
 * buffers, the relaying thread takes them with {@link #next}, which can give up at a deadline and abort the exchange
 * (no thread stays blocked on a hung upstream). One buffer list is requested at a time (back-pressure).
 */
final class BodyChunks implements Flow.Subscriber<List<ByteBuffer>> {
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private boolean ended;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        queue.add(buffers);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /**
     * The next bytes, or null at the end of the body. Throws {@link UpstreamException} of kind TIMEOUT past
     * {@code deadlineNanos} (the exchange is then aborted) and {@link IOException} when the connection failed.
     */
    @SuppressWarnings("unchecked")
    byte[] next(long deadlineNanos) throws IOException, InterruptedException {
        while (true) {
            if (ended) {
                return null;
            }
            long left = deadlineNanos - System.nanoTime();
            Object item = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
            if (item == null) {
                cancel();
                throw UpstreamException.of(UpstreamException.Kind.TIMEOUT, "no data from the upstream in time");
            }
            if (item == END) {
                ended = true;
                return null;
            }
            if (item instanceof Throwable t) {
                ended = true;
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            List<ByteBuffer> buffers = (List<ByteBuffer>) item;
            int size = 0;
            for (ByteBuffer b : buffers) {
                size += b.remaining();
            }
            byte[] out = new byte[size];
            int at = 0;
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                b.get(out, at, n);
                at += n;
            }
            subscription.request(1);
            if (size > 0) {
                return out;
            }
        }
    }

    /** Aborts the exchange: the HTTP client closes the connection. */
    void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        ended = true;
    }
}
