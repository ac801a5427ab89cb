package io.densecl.trainer.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import io.densecl.trainer.data.ImageDecoder;
import io.densecl.trainer.data.RgbImage;
import io.densecl.trainer.model.Encoder;
import io.densecl.trainer.model.FlatState;
import io.densecl.trainer.model.GradMode;
import io.densecl.trainer.model.Initializer;
import io.densecl.trainer.model.ParameterLayout;
import io.densecl.trainer.model.ResNet;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntConsumer;

/** A backbone in inference mode (BatchNorm with running statistics) that maps images to pooled C5 features. */
public final class FrozenBackbone implements AutoCloseable {
    private final NDManager manager;
    private final ResNet resnet;
    private final FlatState state;

    public FrozenBackbone(BackboneSource source, Device device, long seed) {
        this.manager = NDManager.newBaseManager(device, "PyTorch");
        this.resnet = ResNet.of(source.arch());
        ParameterLayout layout = new ParameterLayout();
        resnet.declare(layout, Encoder.BACKBONE);
        float[] params = Initializer.official(seed).parameters(layout);
        float[] buffers = Initializer.buffers(layout);
        source.fill(layout, params, buffers);
        this.state = new FlatState(layout, manager.create(params), manager.create(buffers));
    }

    int channels() {
        return resnet.outChannels();
    }

    NDManager manager() {
        return manager;
    }

    /** Pooled C5 [N, C] of a device batch [N, 3, H, W]; no graph, BatchNorm eval. Call inside a scope. */
    NDArray pooled(NDArray images) {
        try (GradMode g = GradMode.off()) {
            return Pool.globalAvgPool2d(resnet.forward(state.cachedWeights(), Encoder.BACKBONE, images, false));
        }
    }

    /** Global-average-pooled C5 of each file, resized to {@code size}; {@code done} gets the count so far. */
    float[][] features(List<Path> files, int size, IntConsumer done) throws ImageDecoder.UnreadableImageException {
        return features(files, size, EvalImages.squash(size), done);
    }

    /**
     * Global-average-pooled C5 (no normalisation) of each file after {@code prep}, which yields
     * {@code size x size} inputs; BatchNorm in eval mode with the running statistics.
     */
    public float[][] features(List<Path> files, int size, EvalImages.Preprocess prep, IntConsumer done)
            throws ImageDecoder.UnreadableImageException {
        float[][] out = new float[files.size()][];
        int batch = 16;
        int per = 3 * size * size;
        for (int start = 0; start < files.size(); start += batch) {
            int n = Math.min(batch, files.size() - start);
            float[] x = new float[n * per];
            for (int i = 0; i < n; i++) {
                RgbImage img = ImageDecoder.decode(files.get(start + i));
                prep.apply(img, x, i * per);
            }
            try (NDScope ignored = new NDScope();
                    GradMode g = GradMode.off()) {
                NDArray in = manager.create(FloatBuffer.wrap(x), new Shape(n, 3, size, size));
                NDArray f = Pool.globalAvgPool2d(resnet.forward(state.cachedWeights(), Encoder.BACKBONE, in, false));
                float[] flat = f.toFloatArray();
                int c = (int) (flat.length / n);
                for (int i = 0; i < n; i++) {
                    out[start + i] = java.util.Arrays.copyOfRange(flat, i * c, (i + 1) * c);
                }
            }
            done.accept(start + n);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
