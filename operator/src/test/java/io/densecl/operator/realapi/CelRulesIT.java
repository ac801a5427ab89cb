package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.densecl.operator.crd.CelCases;
import io.densecl.operator.crd.CrdCel;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CEL case table ({@link CelCases}) on the real kube-apiserver: every bad spec is refused with the rule's
 * message on the field the table names, every good one is accepted, transition rules hold against the stored
 * object, and each refusal carries exactly one violation, the one cel-java predicts too (a disagreement between
 * the tiers fails here, not in production). Creates and updates are server-side dry runs: nothing is stored.
 */
class CelRulesIT {

    static final AtomicInteger NAMES = new AtomicInteger();
    static String namespace;
    static CrdCel cel;

    @BeforeAll
    static void setUp() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
        namespace = RealApi.namespace("cel");
        cel = CrdCel.load(CelCases.CRD);
    }

    @AfterAll
    static void tearDown() {
        if (namespace != null) {
            RealApi.deleteNamespaces(List.of(namespace));
        }
    }

    static NonNamespaceOperation<
                    GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
            runs() {
        return RealApi.runs(namespace);
    }

    static GenericKubernetesResource object(Map<String, Object> run) {
        GenericKubernetesResource r = Serialization.jsonMapper().convertValue(run, GenericKubernetesResource.class);
        r.getMetadata().setName("cel-" + NAMES.incrementAndGet());
        r.getMetadata().setNamespace(namespace);
        return r;
    }

    /** The server's field errors of a refusal (422), each {@code field} and {@code Invalid value: [<value>: ]<message>}. */
    static List<StatusCause> causes(KubernetesClientException e) {
        assertThat(e).as("the server accepted it").isNotNull();
        assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
        return e.getStatus().getDetails().getCauses();
    }

    /**
     * The server's causes match the expected {@code path: message} violations one to one: same field, and the
     * server's message (which prints the offending value first) ends with the rule's message.
     */
    static void assertSameViolations(List<StatusCause> causes, List<String> expected) {
        assertThat(causes).as("server causes vs expected %s", expected).hasSameSizeAs(expected);
        for (String v : expected) {
            int colon = v.indexOf(": ");
            String field = v.substring(0, colon);
            String message = v.substring(colon + 2);
            assertThat(causes).as("server causes for " + v).anySatisfy(c -> {
                assertThat(c.getField()).isEqualTo(field);
                assertThat(c.getMessage()).startsWith("Invalid value: ").endsWith(message);
            });
        }
    }

    /** cel-java's violations in the server's notation ({@code .spec.x: m} becomes {@code spec.x: m}). */
    static List<String> celJava(Map<String, Object> run, Map<String, Object> old) {
        return cel.violations(run, old).stream().map(v -> v.substring(1)).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.densecl.operator.crd.CelCases#badCreates")
    void refusesOnCreate(CelCases.Case c) throws Exception {
        Map<String, Object> run = CelCases.quickstart(c);
        var causes = causes(catchThrowableOfType(
                KubernetesClientException.class,
                () -> runs().resource(object(run)).dryRun().create()));
        assertSameViolations(causes, List.of(c.field() + ": " + c.message()));
        assertThat(celJava(run, null)).as("cel-java agrees").containsExactly(c.field() + ": " + c.message());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.densecl.operator.crd.CelCases#goodEdges")
    void acceptsOnCreate(CelCases.Case c) throws Exception {
        GenericKubernetesResource created =
                runs().resource(object(CelCases.quickstart(c))).dryRun().create();
        assertThat(created.getMetadata().getUid()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.densecl.operator.crd.CelCases#updates")
    void transitionRules(CelCases.Case c) throws Exception {
        Map<String, Object> old = CelCases.stored(c);
        GenericKubernetesResource stored = runs().resource(object(old)).create();
        Map<String, Object> edited = CelCases.quickstart(c);
        GenericKubernetesResource update = object(edited);
        update.getMetadata().setName(stored.getMetadata().getName());
        update.getMetadata().setResourceVersion(stored.getMetadata().getResourceVersion());
        try {
            if (c.valid()) {
                GenericKubernetesResource updated =
                        runs().resource(update).dryRun().update();
                assertThat(updated.getMetadata().getName())
                        .isEqualTo(stored.getMetadata().getName());
            } else {
                var causes = causes(catchThrowableOfType(
                        KubernetesClientException.class,
                        () -> runs().resource(update).dryRun().update()));
                assertSameViolations(causes, List.of(c.field() + ": " + c.message()));
                assertThat(celJava(edited, old)).as("cel-java agrees").containsExactly(c.field() + ": " + c.message());
            }
        } finally {
            runs().withName(stored.getMetadata().getName()).delete();
        }
    }

    @Test
    void aMinimalSpecIsAcceptedAfterDefaulting() {
        var run = Map.<String, Object>of(
                "apiVersion",
                "densecl.io/v1alpha1",
                "kind",
                "DenseCLRun",
                "metadata",
                Map.of(),
                "spec",
                Map.of("data", Map.of("claimName", "d")));
        assertThat(runs().resource(object(run)).dryRun().create().getMetadata().getUid())
                .isNotNull();
    }

    /** kubectl's default field validation is Strict: the examples must not carry a field the CRD does not know. */
    @Test
    void theExamplesAreAcceptedStrictly() throws Exception {
        try (Stream<Path> files = Files.list(CelCases.EXAMPLES)) {
            int runs = 0;
            for (Path p :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (!"DenseCLRun".equals(CelCases.load(p).get("kind"))) {
                    continue;
                }
                RealApi.Result r = RealApi.kubectl(
                        "create",
                        "--dry-run=server",
                        "--validate=strict",
                        "-n",
                        namespace,
                        "-f",
                        p.toAbsolutePath().toString());
                assertThat(r.code()).as(p + ": " + r.err()).isZero();
                assertThat(r.err()).as(p + " warnings").doesNotContain("Warning");
                runs++;
            }
            assertThat(runs).isGreaterThanOrEqualTo(2);
        }
    }
}
