package io.densecl.trainer.io;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A header that lies about the file is an IOException naming the lie, before anything is mapped or sliced. */
class SafeTensorsHeaderTest {
    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("t" + System.nanoTime() + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    @Test
    void aHeaderLengthBeyondTheFileIsRefused() throws IOException {
        Path f = file("{}", 0);
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 62);
        Files.write(f, bytes);
        assertThatThrownBy(() -> SafeTensors.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("header length 4611686018427387904");
        assertThatThrownBy(() -> SafeTensors.header(f)).isInstanceOf(IOException.class);
    }

    @Test
    void offsetsOutsideTheFileAreRefused() throws IOException {
        Path f = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16000]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(f)).hasMessageContaining("tensor x lies outside the file");
        Path negative = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[-16,0]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(negative)).hasMessageContaining("lies outside the file");
    }

    @Test
    void aShapeThatDisagreesWithItsBytesIsRefused() throws IOException {
        Path f = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(f))
                .hasMessageContaining("spans 16 bytes, its shape and dtype need 20");
        Path huge = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(huge)).hasMessageContaining("too large");
        Path negative = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(negative)).hasMessageContaining("invalid dimension");
    }

    @Test
    void unknownDtypesAndNonObjectsAreRefused() throws IOException {
        Path f = file("{\"x\":{\"dtype\":\"F33\",\"shape\":[4],\"data_offsets\":[0,16]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(f)).hasMessageContaining("unknown dtype 'F33'");
        Path array = file("[1,2,3]", 0);
        assertThatThrownBy(() -> SafeTensors.read(array)).hasMessageContaining("not a JSON object");
        Path text = file("{not json", 0);
        assertThatThrownBy(() -> SafeTensors.read(text))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not JSON");
        Path noOffsets = file("{\"x\":{\"dtype\":\"F32\",\"shape\":[4]}}", 16);
        assertThatThrownBy(() -> SafeTensors.read(noOffsets)).hasMessageContaining("no valid shape and data_offsets");
    }
}
