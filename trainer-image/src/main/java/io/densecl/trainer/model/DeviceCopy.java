package io.densecl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Device-to-device copies of whole tensors (one {@code Tensor.to} each, never through the host). DJL's
 * {@code toDevice} parks every copy in a fresh sub-manager that outlives it; here the copy joins the target
 * manager instead and the sub-manager is closed, so per-step copies leave nothing behind.
 */
public final class DeviceCopy {
    private static final NDIndex ALL = new NDIndex(":");

    private DeviceCopy() {}

    /** {@code x} on {@code target}'s device: {@code x} itself when it is there already (read it, never write it). */
    public static NDArray to(NDArray x, NDManager target) {
        if (x.getDevice().equals(target.getDevice())) {
            return x;
        }
        NDArray y = x.toDevice(target.getDevice(), false);
        NDManager made = y.getManager();
        y.attach(target);
        if (made != x.getManager()) {
            made.close();
        }
        return y;
    }

    /** Overwrites {@code dst} in place with {@code src} (same shape, any device); call with recording off. */
    public static void into(NDArray src, NDArray dst) {
        NDArray here = to(src, dst.getManager());
        dst.set(ALL, here);
        if (here != src) {
            here.close();
        }
    }
}
