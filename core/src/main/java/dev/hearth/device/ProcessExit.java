package dev.hearth.device;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * How a Hearth process ends, for a device whose driver cannot be trusted at exit. The NVIDIA proprietary Vulkan
 * driver crashes in its library destructors during libc's exit (SIGSEGV in libEGL_nvidia, then a JVM error report
 * that hangs), so a backend on it installs a quick exit here: the process then ends by {@code _exit(status)} once
 * every Hearth shutdown task is done, without the C-level exit handlers. Without a quick exit nothing changes.
 *
 * <p>Ordering: shutdown work (the server's drain, the ledger flush) is registered through
 * {@link #addShutdownHook}; the quick exit comes after all of it, whichever way the process ends. When main ends,
 * {@link #exit} runs the tasks in its own thread and then the quick exit; when the JVM ends on a signal (its hooks
 * run concurrently), one hook waits for every registered task to finish before the quick exit.
 */
public final class ProcessExit {
    /** How long the quick exit waits for a shutdown task that is running in another thread. */
    private static final long TASK_WAIT_SECONDS = 60;
    private static final List<Task> TASKS = new CopyOnWriteArrayList<>();
    private static volatile IntConsumer quickExit;
    private static volatile Integer mainStatus;
    private static volatile Integer signalStatus;

    private ProcessExit() {
    }

    /** A JVM shutdown hook that the quick exit waits for (the hook's work runs once, whoever runs it first). */
    public static void addShutdownHook(String name, Runnable work) {
        Task task = new Task(work);
        TASKS.add(task);
        Runtime.getRuntime().addShutdownHook(new Thread(task::run, name));
    }

    /**
     * Makes the process end by {@code quick} (given the exit status, it must not return) once the shutdown tasks
     * are done. The first one installed wins.
     */
    public static synchronized void installQuickExit(IntConsumer quick) {
        if (quickExit != null) {
            return;
        }
        quickExit = quick;
        Runtime.getRuntime().addShutdownHook(new Thread(ProcessExit::endFromHook, "hearth-quick-exit"));
    }

    /** Ends the process with the status main computed: {@link System#exit}, or the tasks then the quick exit. */
    public static void exit(int status) {
        mainStatus = status;
        IntConsumer quick = quickExit;
        if (quick == null) {
            System.exit(status);
            return;
        }
        runTasks();
        quick.accept(status);
    }

    /** The status the quick exit ends with: main's, else 128 + the signal that ended the JVM, else 0. */
    static int status() {
        Integer s = mainStatus;
        if (s != null) {
            return s;
        }
        s = signalStatus;
        return s != null ? s : 0;
    }

    private static void endFromHook() {
        runTasks();
        quickExit.accept(status());
    }

    private static void runTasks() {
        for (Task t : TASKS) {
            t.run();
        }
    }

    /**
     * Records the signal that is ending the JVM (status 128 + its number), for a quick exit from the hook; the
     * backend that installs the quick exit watches the signals (core keeps to the JDK's public API).
     */
    public static void signalled(int status) {
        signalStatus = status;
    }

    private static final class Task {
        private final Runnable work;
        private final AtomicBoolean started = new AtomicBoolean();
        private final CountDownLatch done = new CountDownLatch(1);

        Task(Runnable work) {
            this.work = work;
        }

        void run() {
            if (started.compareAndSet(false, true)) {
                try {
                    work.run();
                } finally {
                    done.countDown();
                }
                return;
            }
            try {
                done.await(TASK_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
