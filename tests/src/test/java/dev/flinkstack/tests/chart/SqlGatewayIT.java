package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.chart.HelmEmulator;
import dev.flinkstack.tests.support.chart.Values;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's SQL Gateway (sqlGateway.enabled) in front of its session cluster, installed through
 * {@link HelmEmulator} on the images under test. A client talks to the gateway's REST API only, as a
 * notebook or the SQL client's gateway mode would: it opens a session, runs a bounded query on the
 * cluster and fetches its rows, and submits a streaming INSERT whose job then runs on the cluster.
 */
class SqlGatewayIT {

    private static final Duration STARTUP = Duration.ofMinutes(3);

    @Test
    void clientsRunStatementsOnTheSessionClusterThroughTheGateway() {
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest()) {
            helm.install(Values.of("sqlGateway.enabled", true, "taskmanager.replicas", 1, "taskmanager.numberOfTaskSlots", 2));
            FlinkRest gateway = helm.rest("Deployment/flink-sql-gateway");
            FlinkRest cluster = helm.rest("Deployment/flink-jobmanager");
            JsonNode info = Await.until("the gateway's REST API", STARTUP, () -> answer(() -> gateway.get("/v1/info")));
            assertThat(info.path("version").asText()).isEqualTo("2.3.0");

            String session = gateway.post("/v1/sessions", "{\"sessionName\": \"it\"}").path("sessionHandle").asText();
            run(gateway, session, """
                    CREATE TEMPORARY TABLE numbers (n BIGINT) WITH (
                      'connector' = 'datagen', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '1000',
                      'number-of-rows' = '1000')""");
            run(gateway, session, "SET 'execution.runtime-mode' = 'batch'");
            List<JsonNode> rows = run(gateway, session, "SELECT COUNT(*), SUM(n) FROM numbers");
            assertThat(rows).hasSize(1);
            assertThat(rows.get(0).path("fields").toString()).isEqualTo("[1000,500500]");
            assertThat(cluster.get("/jobs/overview").path("jobs")).as("the query ran as a job of the cluster")
                    .anySatisfy(job -> assertThat(job.path("state").asText()).isEqualTo("FINISHED"));

            run(gateway, session, "SET 'execution.runtime-mode' = 'streaming'");
            run(gateway, session, "SET 'pipeline.name' = 'sql-gateway-insert'");
            run(gateway, session, """
                    CREATE TEMPORARY TABLE ticks (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '10')""");
            run(gateway, session, "CREATE TEMPORARY TABLE sink (n BIGINT) WITH ('connector' = 'blackhole')");
            List<JsonNode> submitted = run(gateway, session, "INSERT INTO sink SELECT n FROM ticks");
            String jobId = submitted.get(0).path("fields").get(0).asText();
            assertThat(jobId).as("the INSERT's result: its job id").matches("[0-9a-f]{32}");
            Await.condition("the INSERT's job RUNNING on the cluster", STARTUP, () -> cluster.isFullyRunning(jobId));
            assertThat(cluster.job(jobId).path("name").asText()).isEqualTo("sql-gateway-insert");

            List<JsonNode> stopped = run(gateway, session, "STOP JOB '" + jobId + "'");
            assertThat(stopped.get(0).path("fields").get(0).asText()).isEqualTo("OK");
            Await.condition("the job stopped through the gateway", STARTUP,
                    () -> cluster.job(jobId).path("state").asText().equals("CANCELED"));
        }
    }

    /** Submits a statement and returns every row of its result, following the result pages to the end. */
    private static List<JsonNode> run(FlinkRest gateway, String session, String statement) {
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("statement", statement);
        String operation = gateway.post("/v1/sessions/" + session + "/statements", request.toString())
                .path("operationHandle").asText();
        String page = "/v1/sessions/" + session + "/operations/" + operation + "/result/0?rowFormat=JSON";
        List<JsonNode> rows = new ArrayList<>();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (page != null) {
            JsonNode result = gateway.get(page);
            String type = result.path("resultType").asText();
            result.at("/results/data").forEach(rows::add);
            if (type.equals("EOS")) {
                break;
            }
            assertThat(System.nanoTime()).as("the result of " + statement + " within " + STARTUP).isLessThan(deadline);
            if (type.equals("NOT_READY")) {
                Await.sleep(Duration.ofMillis(200));
            }
            page = result.hasNonNull("nextResultUri") ? result.path("nextResultUri").asText() : null;
        }
        JsonNode status = gateway.get("/v1/sessions/" + session + "/operations/" + operation + "/status");
        assertThat(status.path("status").asText()).as(statement).isIn("FINISHED", "RUNNING");
        return rows;
    }

    private static Optional<JsonNode> answer(java.util.function.Supplier<JsonNode> call) {
        try {
            return Optional.of(call.get());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
