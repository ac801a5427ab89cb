package io.densecl.trainer.io;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/** Releases a memory mapping or direct buffer immediately through the JDK's supported-but-unexported cleaner hook. */
public final class Unmapper {
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private Unmapper() {}

    /** Unmaps {@code mapping} (a buffer returned by FileChannel.map, never a slice); a no-op if that is impossible. */
    static void unmap(ByteBuffer mapping) {
        if (UNSAFE != null && mapping != null && mapping.isDirect()) {
            UNSAFE.invokeCleaner(mapping);
        }
    }

    /** Frees a direct buffer from {@code ByteBuffer.allocateDirect} (never a slice or duplicate) now, not at the next GC. */
    public static void free(ByteBuffer direct) {
        unmap(direct);
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // the garbage collector unmaps eventually
        }
    }
}
