package dev.hearth.gpu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * libc's {@code _exit} through FFM: ends the process at once with no C-level exit handlers ({@code atexit},
 * library destructors), which is what the NVIDIA driver's crash at exit needs. Output is flushed first.
 */
final class NativeExit {
    private NativeExit() {
    }

    static void now(int status) {
        System.out.flush();
        System.err.flush();
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle exit = linker.downcallHandle(linker.defaultLookup().find("_exit").orElseThrow(),
                    FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT));
            exit.invokeExact(status);
        } catch (Throwable e) {
            // no _exit to call (not a libc system): halt skips the Java hooks at least
            Runtime.getRuntime().halt(status);
        }
    }
}
