package io.densecl.trainer.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsTensorsAndMetadata() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(
                f,
                Map.of("format", "pt"),
                List.of(
                        SafeTensors.f32("a.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                        SafeTensors.i64("idx", new long[] {2}, new long[] {7, -1})));
        SafeTensors.File r = SafeTensors.read(f);
        assertThat(r.metadata()).containsEntry("format", "pt");
        assertThat(r.get("a.weight").shape()).containsExactly(2, 3);
        assertThat(r.get("a.weight").floats()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(r.get("idx").longs()).containsExactly(7, -1);
        // header length is a multiple of 8 so tensor data is aligned
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(head.getLong() % 8).isZero();
    }

    @Test
    void rejectsGarbage() throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, new byte[] {(byte) 0xff, 1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> SafeTensors.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a safetensors");
    }
}
