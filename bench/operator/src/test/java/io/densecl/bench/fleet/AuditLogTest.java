package io.densecl.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log is counted in the mock's notation, each request once, by client, code and time window. */
class AuditLogTest {
    private static final String OP = "system:serviceaccount:densecl:densecl-operator";

    @Test
    void countsEachRequestOnceInTheMocksNotation(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("audit.log");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        event(
                                "a1",
                                "ResponseComplete",
                                OP,
                                "create",
                                "pods",
                                "",
                                "",
                                201,
                                "2026-12-01T10:00:00.100000Z"),
                        event(
                                "a2",
                                "ResponseComplete",
                                OP,
                                "patch",
                                "denseclruns",
                                "r0001",
                                "status",
                                200,
                                "2026-12-01T10:00:01.000000Z"),
                        event(
                                "a3",
                                "ResponseComplete",
                                OP,
                                "patch",
                                "denseclruns",
                                "r0002",
                                "status",
                                409,
                                "2026-12-01T10:00:02.000000Z"),
                        // a watch logs ResponseStarted, and ResponseComplete when it ends: one request
                        event("a4", "ResponseStarted", OP, "watch", "pods", "", "", 200, "2026-12-01T10:00:00.200000Z"),
                        event(
                                "a4",
                                "ResponseComplete",
                                OP,
                                "watch",
                                "pods",
                                "",
                                "",
                                200,
                                "2026-12-01T10:00:00.200000Z"),
                        event(
                                "a5",
                                "ResponseComplete",
                                "system:kube-scheduler",
                                "create",
                                "pods",
                                "r0001-a1",
                                "binding",
                                201,
                                "2026-12-01T10:00:01.500000Z"),
                        event(
                                "a6",
                                "ResponseComplete",
                                "system:node:fleet-1",
                                "update",
                                "pods",
                                "r0001-a1",
                                "status",
                                200,
                                "2026-12-01T10:00:01.600000Z"),
                        event(
                                "a7",
                                "ResponseComplete",
                                "system:serviceaccount:kube-system:persistent-volume-binder",
                                "update",
                                "persistentvolumeclaims",
                                "c",
                                "",
                                200,
                                "2026-12-01T10:00:01.700000Z"),
                        "{\"auditID\":\"a8\",\"stage\":\"ResponseComplete\",\"user\":{\"username\":\"densecl-admin\"},\"verb\":\"get\","
                                + "\"requestURI\":\"/metrics?x=1\",\"responseStatus\":{\"code\":200},"
                                + "\"requestReceivedTimestamp\":\"2026-12-01T10:00:03.000000Z\"}"));
        RequestLog log = new AuditLog(file, Map.of(OP, FleetApi.OPERATOR, "densecl-admin", FleetApi.BENCH)).read();
        Instant from = Instant.parse("2026-12-01T10:00:00Z");
        Instant to = Instant.parse("2026-12-01T10:01:00Z");

        assertThat(log.byKind(FleetApi.OPERATOR, from, to))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("POST pods", 1L, "PATCH denseclruns/{name}/status", 2L, "GET pods (watch)", 1L));
        assertThat(log.byCode(FleetApi.OPERATOR, from, to))
                .containsEntry("409", 1L)
                .containsEntry("200", 2L);
        assertThat(log.byClient(from, to))
                .containsExactlyInAnyOrderEntriesOf(Map.of(
                        FleetApi.OPERATOR,
                        4L,
                        "scheduler",
                        1L,
                        "kubelets",
                        1L,
                        "controller-manager",
                        1L,
                        FleetApi.BENCH,
                        1L));
        assertThat(log.byKind("scheduler", from, to)).containsOnlyKeys("POST pods/{name}/binding");
        assertThat(log.byKind("kubelets", from, to)).containsOnlyKeys("PUT pods/{name}/status");
        assertThat(log.byKind(FleetApi.BENCH, from, to)).containsOnlyKeys("GET /metrics");
        // windows split by receive time: [from, 10:00:01.5) holds the create, the watch and one patch
        assertThat(log.total(FleetApi.OPERATOR, from, Instant.parse("2026-12-01T10:00:01.500Z")))
                .isEqualTo(3);
    }

    @Test
    void mockPathsGiveTheSameKeys() {
        assertThat(RequestLog.resource("/api/v1/namespaces/fleet/pods")).isEqualTo("pods");
        assertThat(RequestLog.resource("/apis/densecl.io/v1alpha1/namespaces/fleet/denseclruns/r0001/status"))
                .isEqualTo("denseclruns/{name}/status");
        assertThat(RequestLog.resource("/api/v1/namespaces/fleet/pods?labelSelector=a%3Db&watch=true"))
                .isEqualTo("pods (watch)");
    }

    @Test
    void badOptionsNameTheFlag() {
        assertThat(FleetOptions.parse("--api", "mock", "--runs", "10").runs()).isEqualTo(10);
        for (String[] bad : new String[][] {
            {"--api", "kind"},
            {"--runs", "-3"},
            {"--runs"},
            {"--nodes", "x"},
            {"--operator-env", "NOEQUALS"},
            {"--stock-dispatcher"},
            {"--frobnicate", "1"}
        }) {
            try {
                FleetOptions.parse(bad);
                throw new AssertionError("accepted " + String.join(" ", bad));
            } catch (IllegalArgumentException e) {
                assertThat(e.getMessage())
                        .contains(bad[0].equals("--stock-dispatcher") ? "--stock-dispatcher" : bad[0]);
            }
        }
    }

    private static String event(
            String id,
            String stage,
            String user,
            String verb,
            String resource,
            String name,
            String sub,
            int code,
            String received) {
        return ("{\"auditID\":\"%s\",\"stage\":\"%s\",\"user\":{\"username\":\"%s\"},\"verb\":\"%s\","
                        + "\"objectRef\":{\"resource\":\"%s\",\"name\":\"%s\",\"subresource\":\"%s\"},"
                        + "\"responseStatus\":{\"code\":%d},\"requestReceivedTimestamp\":\"%s\"}")
                .formatted(id, stage, user, verb, resource, name, sub, code, received);
    }
}
