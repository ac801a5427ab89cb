package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinitionBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kubectl get dcl shows the columns in declaration order (as README.md shows them), not sorted by JSON path. */
class PrinterColumnOrderTest {

    static final List<String> DECLARED_ORDER =
            List.of("Phase", "Epoch", "Progress%", "Loss", "Ckpt", "Restarts", "Best", "Age");

    @Test
    void declaredOrderIsTheDesignOrder() {
        assertThat(PrinterColumnOrder.declaredOrder()).isEqualTo(DECLARED_ORDER);
    }

    @Test
    void committedCrdListsTheColumnsInDeclarationOrder() throws Exception {
        JsonNode crd = new ObjectMapper(new YAMLFactory())
                .readTree(Path.of("..", "crds", "denseclruns.densecl.io-v1.yml").toFile());
        List<String> names = new ArrayList<>();
        crd.at("/spec/versions/0/additionalPrinterColumns")
                .forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).isEqualTo(DECLARED_ORDER);
    }

    @Test
    void unknownColumnsKeepTheirOrderAtTheEnd() {
        List<CustomResourceColumnDefinition> in = new ArrayList<>();
        for (String n : List.of("Age", "x", "Phase", "y", "Loss")) {
            in.add(new CustomResourceColumnDefinitionBuilder().withName(n).build());
        }
        assertThat(PrinterColumnOrder.ordered(in, DECLARED_ORDER))
                .extracting(CustomResourceColumnDefinition::getName)
                .containsExactly("Phase", "Loss", "Age", "x", "y");
    }
}
