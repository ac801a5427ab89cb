package io.densecl.trainer.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ResNet layouts match torchvision's parameter counts and names (without fc). */
class LayoutTest {

    @ParameterizedTest
    @CsvSource({
        // torchvision resnetXX() parameter count minus fc (512*1000+1000 or 2048*1000+1000), tensors minus fc
        "resnet18, 11176512, 60",
        "resnet34, 21284672, 108",
        "resnet50, 23508032, 159",
        "resnet101, 42500160, 312",
    })
    void backboneMatchesTorchvision(String arch, long params, int tensors) {
        ParameterLayout layout = new ParameterLayout();
        ResNet.of(arch).declare(layout, "");
        assertThat(layout.parameterCount()).isEqualTo(params);
        assertThat(layout.parameters()).hasSize(tensors);
    }

    @Test
    void namesFollowTorchvision() {
        Encoder e = new Encoder("resnet50", 2048, 128);
        ParameterLayout l = e.layout();
        assertThat(l.contains("backbone.layer4.2.conv3.weight")).isTrue();
        assertThat(l.contains("backbone.layer1.0.downsample.0.weight")).isTrue();
        assertThat(l.contains("backbone.layer3.5.bn2.running_var")).isTrue();
        assertThat(l.contains("neck.mlp2.2.bias")).isTrue();
        assertThat(l.shape("backbone.layer2.0.conv2.weight").getShape()).containsExactly(128, 128, 3, 3);
        assertThat(l.isBuffer("backbone.bn1.running_mean")).isTrue();
        // state_dict order interleaves BN buffers right after their bias, as torch does
        assertThat(l.stateDictOrder().subList(0, 5))
                .extracting(ParameterSpec::name)
                .containsExactly(
                        "backbone.conv1.weight",
                        "backbone.bn1.weight",
                        "backbone.bn1.bias",
                        "backbone.bn1.running_mean",
                        "backbone.bn1.running_var");
    }

    @Test
    void unknownBackboneIsRejected() {
        assertThatThrownBy(() -> ResNet.of("resnet152")).hasMessageContaining("resnet152");
    }

    @Test
    void officialInitIsDeterministicAndScaled() {
        ParameterLayout l = new Encoder("resnet18", 64, 16).layout();
        float[] a = Initializer.official(7).parameters(l);
        float[] b = Initializer.official(7).parameters(l);
        float[] c = Initializer.official(8).parameters(l);
        // Arrays.equals: AssertJ's element-wise diff is quadratic on 11M floats
        assertThat(java.util.Arrays.equals(a, b)).isTrue();
        assertThat(java.util.Arrays.equals(a, c)).isFalse();
        // conv1: Kaiming normal, fan_in = 3*7*7 -> std sqrt(2/147) ~ 0.1166 (InitializerTest pins every tensor)
        int n = 64 * 3 * 7 * 7;
        double ss = 0;
        for (int i = 0; i < n; i++) ss += a[i] * a[i];
        assertThat(Math.sqrt(ss / n)).isBetween(0.111, 0.122);
        // BatchNorm weight 1, bias 0
        int bnW = (int) l.offset("backbone.bn1.weight");
        assertThat(a[bnW]).isEqualTo(1f);
        assertThat(a[(int) l.offset("backbone.bn1.bias")]).isEqualTo(0f);
    }
}
