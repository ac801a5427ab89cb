package io.densecl.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quantity fields of the committed CRD carry a pattern, so a bad quantity is refused at create (naming the field)
 * instead of by the pod create later (where the operator could only report the API server's refusal).
 */
class QuantityPatternTest {

    /** The pattern of spec.<section>.<field> in the committed CRD. */
    static Pattern pattern(String section, String field) throws Exception {
        JsonNode n = new ObjectMapper(new YAMLFactory())
                .readTree(CelCases.CRD.toFile())
                .at("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/" + section + "/properties/"
                        + field);
        assertThat(n.path("pattern").isTextual())
                .as("spec." + section + "." + field + " has a pattern")
                .isTrue();
        return Pattern.compile(n.path("pattern").asText());
    }

    @ParameterizedTest
    @CsvSource({
        "4, true",
        "500m, true",
        "0.5, true",
        "16Gi, true",
        "1e3, true",
        "2.5G, true",
        "+1, true",
        ".5, true",
        "16GB, false",
        "-1, false",
        "lots, false",
        "16 Gi, false",
        "'', false",
        "1Gi1, false"
    })
    void quantitiesAreCheckedByTheSchema(String value, boolean valid) throws Exception {
        for (String[] field : new String[][] {{"resources", "cpu"}, {"resources", "memory"}, {"checkpoint", "size"}}) {
            assertThat(pattern(field[0], field[1]).matcher(value).find())
                    .as(String.join(".", field) + "=" + value)
                    .isEqualTo(valid);
        }
    }
}
