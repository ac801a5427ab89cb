package io.densecl.trainer.export;

import io.densecl.trainer.io.SafeTensors;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A detectron2 model-zoo weights file, the format {@code DetectionCheckpointer} reads for a {@code .pkl}:
 * a pickle (protocol 3) of {@code {"model": {name: numpy.ndarray}, "__author__": ..., "matching_heuristics": True}}.
 * With {@code matching_heuristics} detectron2 matches each of its parameter names to the longest complete suffix
 * among ours ({@code res2.0.conv1.weight} to {@code backbone.bottom_up.res2.0.conv1.weight}), as for the
 * torchvision weights its converter writes. Arrays are pickled as numpy's own reducer does
 * ({@code numpy.core.multiarray._reconstruct} plus {@code __setstate__}), so numpy 1.x and 2.x load them.
 */
final class Detectron2Pickle {
    private static final int PROTO = 0x80;
    private static final int MARK = '(';
    private static final int STOP = '.';
    private static final int GLOBAL = 'c';
    private static final int REDUCE = 'R';
    private static final int BUILD = 'b';
    private static final int BININT = 'J';
    private static final int BININT1 = 'K';
    private static final int BINUNICODE = 'X';
    private static final int SHORT_BINBYTES = 'C';
    private static final int BINBYTES = 'B';
    private static final int EMPTY_TUPLE = ')';
    private static final int TUPLE = 't';
    private static final int TUPLE1 = 0x85;
    private static final int TUPLE3 = 0x87;
    private static final int NEWTRUE = 0x88;
    private static final int NEWFALSE = 0x89;
    private static final int NONE = 'N';
    private static final int EMPTY_DICT = '}';
    private static final int SETITEMS = 'u';

    private Detectron2Pickle() {}

    /** Writes {@code entries} (float32 and int64) under the metadata detectron2 expects. */
    static void write(Path out, String author, List<SafeTensors.Entry> entries) throws IOException {
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 20))) {
            o.write(PROTO);
            o.write(3);
            o.write(EMPTY_DICT);
            o.write(MARK);
            string(o, "model");
            o.write(EMPTY_DICT);
            o.write(MARK);
            for (SafeTensors.Entry e : entries) {
                string(o, e.name());
                array(o, e);
            }
            o.write(SETITEMS);
            string(o, "__author__");
            string(o, author);
            string(o, "matching_heuristics");
            o.write(NEWTRUE);
            o.write(SETITEMS);
            o.write(STOP);
        }
    }

    /** {@code _reconstruct(ndarray, (0,), b'b')} then {@code __setstate__((1, shape, dtype, False, raw))}. */
    private static void array(DataOutputStream o, SafeTensors.Entry e) throws IOException {
        String dtype = switch (e.dtype()) {
            case "F32" -> "f4";
            case "I64" -> "i8";
            default ->
                throw new IllegalArgumentException(e.name() + ": dtype " + e.dtype() + " has no numpy mapping here");
        };
        global(o, "numpy.core.multiarray", "_reconstruct");
        global(o, "numpy", "ndarray");
        o.write(BININT1);
        o.write(0);
        o.write(TUPLE1);
        o.write(SHORT_BINBYTES);
        o.write(1);
        o.write('b');
        o.write(TUPLE3);
        o.write(REDUCE);
        o.write(MARK);
        integer(o, 1);
        if (e.shape().length == 0) {
            o.write(EMPTY_TUPLE);
        } else {
            o.write(MARK);
            for (long d : e.shape()) integer(o, Math.toIntExact(d));
            o.write(TUPLE);
        }
        global(
                o, "numpy",
                "dtype"); // dtype(dtype, False, True) then __setstate__((3, '<', None, None, None, -1, -1, 0))
        string(o, dtype);
        o.write(NEWFALSE);
        o.write(NEWTRUE);
        o.write(TUPLE3);
        o.write(REDUCE);
        o.write(MARK);
        integer(o, 3);
        string(o, "<");
        o.write(NONE);
        o.write(NONE);
        o.write(NONE);
        integer(o, -1);
        integer(o, -1);
        integer(o, 0);
        o.write(TUPLE);
        o.write(BUILD);
        o.write(NEWFALSE);
        ByteBuffer data = e.data().duplicate();
        o.write(BINBYTES);
        o.writeInt(Integer.reverseBytes(data.remaining()));
        byte[] chunk = new byte[1 << 16];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            o.write(chunk, 0, n);
        }
        o.write(TUPLE);
        o.write(BUILD);
    }

    private static void global(OutputStream o, String module, String name) throws IOException {
        o.write(GLOBAL);
        o.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void string(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write(BINUNICODE);
        o.writeInt(Integer.reverseBytes(b.length));
        o.write(b);
    }

    private static void integer(DataOutputStream o, int v) throws IOException {
        o.write(BININT);
        o.writeInt(Integer.reverseBytes(v));
    }
}
