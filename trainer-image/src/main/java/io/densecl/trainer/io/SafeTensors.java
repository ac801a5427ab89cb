package io.densecl.trainer.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reader and writer of the safetensors format: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then raw
 * little-endian tensor bytes.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** A tensor's description and (for reads) its bytes. */
    public record Entry(String name, String dtype, long[] shape, ByteBuffer data) {
        public long numel() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }

        public float[] floats() {
            requireDtype("F32");
            float[] out = new float[Math.toIntExact(numel())];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }

        public long[] longs() {
            requireDtype("I64");
            long[] out = new long[Math.toIntExact(numel())];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
            return out;
        }

        private void requireDtype(String want) {
            if (!dtype.equals(want)) {
                throw new IllegalStateException(name + " has dtype " + dtype + ", not " + want);
            }
        }
    }

    /**
     * A parsed file: metadata and tensors in header order, their data memory-mapped. {@link #close()}
     * unmaps at once instead of whenever the garbage collector gets to it: a mapping pins the file's
     * pages (counted in RSS, and kept alive after the file is pruned). No entry may be read after close.
     */
    public record File(Map<String, String> metadata, Map<String, Entry> tensors, ByteBuffer mapping)
            implements AutoCloseable {
        @Override
        public void close() {
            Unmapper.unmap(mapping);
        }

        public Entry get(String name) {
            Entry e = tensors.get(name);
            if (e == null) {
                throw new IllegalArgumentException("no tensor '" + name + "' in safetensors file");
            }
            return e;
        }
    }

    /**
     * Parses and maps a file. Everything the header claims is checked against the file before any of
     * it is used: a header length or an offset outside the file, a shape whose size disagrees with its
     * byte range, an unknown dtype are IOExceptions naming the problem, never a wild slice.
     */
    public static File read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header h = header(path, ch);
            ByteBuffer all = ch.map(FileChannel.MapMode.READ_ONLY, h.dataStart(), ch.size() - h.dataStart());
            Map<String, Entry> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, Info> t : h.tensors().entrySet()) {
                Info i = t.getValue();
                ByteBuffer slice = all.duplicate()
                        .position((int) i.begin())
                        .limit((int) i.end())
                        .slice();
                tensors.put(t.getKey(), new Entry(t.getKey(), i.dtype(), i.shape(), slice));
            }
            return new File(h.metadata(), tensors, all);
        }
    }

    /** One tensor as the header describes it: dtype, shape and its byte range within the data section. */
    public record Info(String dtype, long[] shape, long begin, long end) {}

    /** A checked header: metadata, tensors in header order, and where the data section starts. */
    public record Header(Map<String, String> metadata, Map<String, Info> tensors, long dataStart) {}

    /** Reads and checks only the header (no mapping): what checkpoint validation needs. */
    public static Header header(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return header(path, ch);
        }
    }

    private static Header header(Path path, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new IOException(path + ": not a safetensors file (" + fileSize + " bytes)");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0);
        long headerLen = len.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
            throw new IOException(path + ": not a safetensors file (header length " + headerLen + ")");
        }
        long base = 8 + headerLen;
        long dataLen = fileSize - base;
        if (dataLen > Integer.MAX_VALUE) {
            throw new IOException(path + ": data section of " + dataLen + " bytes exceeds 2 GiB (not supported)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8);
        JsonNode header;
        try {
            header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(path + ": the header is not JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) {
            throw new IOException(path + ": the header is not a JSON object");
        }
        Map<String, String> meta = new LinkedHashMap<>();
        Map<String, Info> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("__metadata__")) {
                f.getValue()
                        .fields()
                        .forEachRemaining(m -> meta.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(f.getKey(), info(path, f.getKey(), f.getValue(), dataLen));
        }
        return new Header(meta, tensors, base);
    }

    private static Info info(Path path, String name, JsonNode t, long dataLen) throws IOException {
        String where = path + ": tensor " + name;
        JsonNode shapeNode = t.path("shape");
        JsonNode offsets = t.path("data_offsets");
        int width = dtypeBytes(t.path("dtype").asText(""));
        if (width == 0) {
            throw new IOException(
                    where + " has an unknown dtype '" + t.path("dtype").asText("") + "'");
        }
        if (!shapeNode.isArray()
                || !offsets.isArray()
                || offsets.size() != 2
                || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong()) {
            throw new IOException(where + " has no valid shape and data_offsets");
        }
        long[] shape = new long[shapeNode.size()];
        long bytes = width;
        try {
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.canConvertToLong() || d.asLong() < 0) {
                    throw new IOException(where + " has an invalid dimension " + d);
                }
                shape[i] = d.asLong();
                bytes = Math.multiplyExact(bytes, shape[i]);
            }
        } catch (ArithmeticException overflow) {
            throw new IOException(where + " has a shape too large to exist");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new IOException(where + " lies outside the file");
        }
        if (end - begin != bytes) {
            throw new IOException(where + " spans " + (end - begin) + " bytes, its shape and dtype need " + bytes);
        }
        return new Info(t.path("dtype").asText(), shape, begin, end);
    }

    /** Bytes per value of a safetensors dtype; 0 for one this reader does not know. */
    static int dtypeBytes(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }

    /** Writes tensors in the given order and fsyncs; every entry's {@code data} holds exactly its bytes. */
    public static void write(Path path, Map<String, String> metadata, List<Entry> entries) throws IOException {
        writeFile(path, header(metadata, entries), entries);
    }

    /**
     * As {@link #write}, and returns the SHA-256 (hex) of the file's bytes, computed by a second thread
     * from the same buffers while they are written, so hashing costs no extra pass over the file.
     */
    public static String writeHashed(Path path, Map<String, String> metadata, List<Entry> entries) throws IOException {
        ByteBuffer head = header(metadata, entries);
        ByteBuffer headCopy = head.duplicate();
        java.util.concurrent.CompletableFuture<String> hash = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
                md.update(headCopy);
                for (Entry e : entries) md.update(e.data().duplicate());
                return hex(md.digest());
            } catch (java.security.NoSuchAlgorithmException ex) {
                throw new IllegalStateException(ex);
            }
        });
        writeFile(path, head, entries);
        return hash.join();
    }

    /** The length prefix and JSON header, padded so that tensor data starts 8-byte aligned. */
    private static ByteBuffer header(Map<String, String> metadata, List<Entry> entries) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            long bytes = e.data().remaining();
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype());
            var shape = t.putArray("shape");
            for (long s : e.shape()) shape.add(s);
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] hdr = JSON.writeValueAsBytes(header);
        int padded = (hdr.length + 7) / 8 * 8; // padded with spaces, as the format allows
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(hdr);
        while (head.hasRemaining()) head.put((byte) ' ');
        return head.flip();
    }

    private static void writeFile(Path path, ByteBuffer head, List<Entry> entries) throws IOException {
        try (FileChannel ch = FileChannel.open(
                path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, head.duplicate());
            for (Entry e : entries) {
                writeFully(ch, e.data().duplicate());
            }
            ch.force(true);
        }
    }

    /** Lower-case hex of a digest. */
    public static String hex(byte[] digest) {
        return java.util.HexFormat.of().formatHex(digest);
    }

    /** A float32 entry from a Java array. */
    public static Entry f32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return new Entry(name, "F32", shape, b);
    }

    /** An int64 entry from a Java array. */
    public static Entry i64(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return new Entry(name, "I64", shape, b);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) throw new IOException("unexpected end of file");
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
