package io.densecl.trainer.data;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * JPEG decoding through the system's libjpeg-turbo (TurboJPEG API 2.x, Debian {@code libturbojpeg0}),
 * the decoder PIL uses: about 4x faster than Java's ImageIO decoder on the same files, with the same
 * accurate integer IDCT and fancy chroma upsampling. Optional: when the library is missing (or
 * {@code DENSECL_TURBOJPEG=off}) {@link #available()} is false and callers decode with ImageIO.
 */
public final class TurboJpeg {
    private static final int TJPF_RGB = 0;
    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;
    private static final int TJERR_WARNING = 0;
    private static final boolean AVAILABLE = load();
    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();
    /**
     * One decompressor per loader thread (a TurboJPEG handle must not be shared between threads),
     * destroyed once its thread is gone: evaluation and loader pools come and go within one process.
     */
    private static final ThreadLocal<Pointer> HANDLE = ThreadLocal.withInitial(() -> {
        Pointer handle = tjInitDecompress();
        if (handle == null) {
            throw new IllegalStateException("tjInitDecompress failed");
        }
        CLEANER.register(Thread.currentThread(), () -> tjDestroy(handle));
        return handle;
    });
    /**
     * Per-thread reusable native buffers: the compressed file and the decoded pixels, kept up to
     * {@link #RETAINED_BYTES} each. A larger request gets a buffer of its own that is freed as soon as
     * the image is copied out, so one huge image never pins its size in every loader thread.
     */
    private static final ThreadLocal<ByteBuffer[]> BUFFERS = ThreadLocal.withInitial(() -> new ByteBuffer[2]);
    /** 16 MiB: the RGB of a 2300x2300 image; a 224-px training set's images are far smaller. */
    static final int RETAINED_BYTES = 16 << 20;

    private TurboJpeg() {}

    static native Pointer tjInitDecompress();

    static native int tjDecompressHeader3(
            Pointer handle, ByteBuffer jpeg, long size, int[] width, int[] height, int[] subsampling, int[] colorspace);

    static native int tjDecompress2(
            Pointer handle,
            ByteBuffer jpeg,
            long size,
            ByteBuffer dst,
            int width,
            int pitch,
            int height,
            int pixelFormat,
            int flags);

    static native String tjGetErrorStr2(Pointer handle);

    static native int tjGetErrorCode(Pointer handle);

    static native int tjDestroy(Pointer handle);

    /** Whether libturbojpeg was found and bound. */
    public static boolean available() {
        return AVAILABLE;
    }

    /** Where the library came from, for the start-up log. */
    public static String describe() {
        if (AVAILABLE) {
            return "libjpeg-turbo (TurboJPEG)";
        }
        return "off".equalsIgnoreCase(System.getenv("DENSECL_TURBOJPEG"))
                ? "ImageIO (DENSECL_TURBOJPEG=off)"
                : "ImageIO (libturbojpeg not found)";
    }

    /**
     * Decodes a baseline or progressive JPEG to interleaved RGB (grayscale replicated, as PIL's
     * {@code convert('RGB')}). Empty when the file is no JPEG (PNG, BMP, anything else) or a CMYK/YCCK
     * JPEG, or a file libjpeg-turbo refuses outright: those take the ImageIO path, which knows the other
     * formats and the Adobe inversion and names the error. A corrupt or truncated file is an error:
     * libjpeg-turbo reports "premature end of data" as a warning after filling the rest grey, and a grey
     * half-image must never reach training.
     */
    public static Optional<RgbImage> decode(Path path) throws ImageDecoder.UnreadableImageException {
        return decode(path, ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** As {@link #decode(Path)}; a JPEG whose header declares more than {@code maxPixels} pixels is refused before decoding. */
    public static Optional<RgbImage> decode(Path path, long maxPixels) throws ImageDecoder.UnreadableImageException {
        ByteBuffer jpeg = readFile(path);
        try {
            return decode(path, jpeg, maxPixels);
        } finally {
            release(0, jpeg);
        }
    }

    private static Optional<RgbImage> decode(Path path, ByteBuffer jpeg, long maxPixels)
            throws ImageDecoder.UnreadableImageException {
        Pointer handle = HANDLE.get();
        long size = jpeg.remaining();
        if (size < 3 || (jpeg.get(0) & 0xFF) != 0xFF || (jpeg.get(1) & 0xFF) != 0xD8) {
            return Optional.empty(); // no JPEG start-of-image marker
        }
        int[] w = new int[1];
        int[] h = new int[1];
        int[] subsampling = new int[1];
        int[] colorspace = new int[1];
        if (tjDecompressHeader3(handle, jpeg, size, w, h, subsampling, colorspace) != 0) {
            return Optional.empty(); // ImageIO reads some files libjpeg-turbo refuses (and names the error otherwise)
        }
        if (colorspace[0] == TJCS_CMYK || colorspace[0] == TJCS_YCCK) {
            return Optional.empty();
        }
        ImageDecoder.requireWithinCap(path, w[0], h[0], Math.min(maxPixels, Integer.MAX_VALUE / 3));
        int bytes = w[0] * h[0] * 3;
        ByteBuffer rgb = buffer(1, bytes);
        try {
            if (tjDecompress2(handle, jpeg, size, rgb, w[0], w[0] * 3, h[0], TJPF_RGB, 0) != 0) {
                if (tjGetErrorCode(handle) == TJERR_WARNING) { // truncated or corrupt data: the rest was filled in
                    throw new ImageDecoder.UnreadableImageException(
                            path, "damaged image (" + tjGetErrorStr2(handle) + ")");
                }
                return Optional.empty(); // a fatal error: ImageIO gets its chance and names the problem
            }
            byte[] out = new byte[bytes];
            rgb.get(0, out);
            return Optional.of(new RgbImage(w[0], h[0], out));
        } finally {
            release(1, rgb);
        }
    }

    private static ByteBuffer readFile(Path path) throws ImageDecoder.UnreadableImageException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0 || size > Integer.MAX_VALUE) {
                throw new ImageDecoder.UnreadableImageException(path, size == 0 ? "empty file" : "file too large");
            }
            ByteBuffer b = buffer(0, (int) size);
            try {
                while (b.hasRemaining()) {
                    if (ch.read(b) < 0) {
                        throw new ImageDecoder.UnreadableImageException(path, "file shrank while being read");
                    }
                }
            } catch (IOException | RuntimeException e) {
                release(0, b);
                throw e;
            }
            return b.flip();
        } catch (IOException e) {
            if (e instanceof ImageDecoder.UnreadableImageException u) {
                throw u;
            }
            throw new ImageDecoder.UnreadableImageException(path, "cannot read (" + ImageDecoder.why(e) + ")");
        }
    }

    /**
     * A direct buffer of at least {@code bytes}, limited to exactly {@code bytes}: this thread's reusable
     * one when the size is within {@link #RETAINED_BYTES}, otherwise one of its own ({@link #release} frees it).
     */
    private static ByteBuffer buffer(int slot, int bytes) {
        if (bytes > RETAINED_BYTES) {
            return ByteBuffer.allocateDirect(bytes);
        }
        ByteBuffer[] mine = BUFFERS.get();
        if (mine[slot] == null || mine[slot].capacity() < bytes) {
            mine[slot] = ByteBuffer.allocateDirect(Math.min(RETAINED_BYTES, Math.max(bytes, 1 << 20)));
        }
        return mine[slot].clear().limit(bytes);
    }

    /** Frees {@code b} now unless it is this thread's reusable buffer of {@code slot}. */
    private static void release(int slot, ByteBuffer b) {
        if (b != BUFFERS.get()[slot]) {
            io.densecl.trainer.io.Unmapper.free(b);
        }
    }

    private static boolean load() {
        String setting = System.getenv().getOrDefault("DENSECL_TURBOJPEG", "");
        if (setting.equalsIgnoreCase("off")) {
            return false;
        }
        // Debian ships only the versioned soname unless the -dev package is installed
        List<String> names = setting.isEmpty()
                ? List.of(
                        "turbojpeg",
                        "/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0",
                        "/usr/lib/aarch64-linux-gnu/libturbojpeg.so.0",
                        "/usr/lib64/libturbojpeg.so.0",
                        "/usr/lib/libturbojpeg.so.0")
                : List.of(setting);
        for (String name : names) {
            try {
                Native.register(TurboJpeg.class, NativeLibrary.getInstance(name));
                return true;
            } catch (LinkageError | RuntimeException e) { // also JNA failing to unpack its stub (no writable tmp)
                // try the next location; ImageIO remains the fallback
            }
        }
        return false;
    }
}
