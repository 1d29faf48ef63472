package dev.flinkstack.tests.distribution;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.Processes;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Table API and SQL stack of flink-dist's lib/ and opt/: a SQL script as an application cluster
 * through the SQL driver of flink-table-runtime (windows in CSV, MATCH_RECOGNIZE in JSON, exact
 * results), the SQL client running a script and a Table API program of flink-examples-table against a
 * session cluster, and the SQL Gateway.
 */
class TableAndSqlIT {

    private static final String JM = FlinkContainerCluster.jobManagerImage();
    private static final String TM = FlinkContainerCluster.taskManagerImage();
    private static final String PROPERTIES = "jobmanager.rpc.address: jobmanager";
    private static final String SQL_DRIVER = "org.apache.flink.table.runtime.application.SqlDriver";
    private static final Path SCRIPTS = Path.of("src/test/resources/distribution").toAbsolutePath();
    private static final Path TABLE_EXAMPLES = DockerRuns.distributionJar("flink-examples-table.jar").toAbsolutePath();

    @Test
    void sqlScriptRunsAsAnApplicationClusterWithExactResults() throws IOException {
        try (DockerRuns docker = new DockerRuns()) {
            Path data = docker.directory();
            Files.copy(SCRIPTS.resolve("streaming-sql.sql"), data.resolve("streaming-sql.sql"));
            String jobManager = docker.start(docker.container("jobmanager", JM).volume(data.toString(), "/flink-data", false)
                    .env("FLINK_PROPERTIES", PROPERTIES)
                    .args("standalone-job", "--job-classname", SQL_DRIVER, "--scriptUri", "file:///flink-data/streaming-sql.sql"));
            docker.start(docker.container("taskmanager", TM).volume(data.toString(), "/flink-data", false)
                    .env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));

            assertThat(awaitExit(docker, jobManager)).as("the application's JobManager ends when the job finished").isZero();
            assertThat(JobOutput.committedLines(data.resolve("output/windows"))).containsExactly(
                    "\"1970-01-01 00:00:00\",9,45", "\"1970-01-01 00:00:10\",10,145", "\"1970-01-01 00:00:20\",10,245",
                    "\"1970-01-01 00:00:30\",10,345", "\"1970-01-01 00:00:40\",10,445", "\"1970-01-01 00:00:50\",10,545",
                    "\"1970-01-01 00:01:00\",1,60");
            List<String> runs = new ArrayList<>();
            for (int first = 1; first <= 56; first += 5) {
                runs.add("{\"first_id\":" + first + ",\"last_id\":" + (first + 2) + "}");
            }
            assertThat(JobOutput.committedLines(data.resolve("output/runs"))).containsExactlyInAnyOrderElementsOf(runs);
        }
    }

    @Test
    void aSessionClusterRunsTheSqlClientsScriptAndATableApiProgram() {
        try (DockerRuns docker = new DockerRuns()) {
            startSessionCluster(docker);
            // A Table API program nobody here wrote, run the way Flink's docs show (flink run): lib/'s
            // Table API, planner and runtime serve it, and its print() fetches the rows from the job.
            Processes.Result program = docker.runToEnd(Duration.ofMinutes(3), docker.container("flink-run", JM)
                    .volume(TABLE_EXAMPLES.toString(), "/jobs/flink-examples-table.jar", true)
                    .env("FLINK_PROPERTIES", PROPERTIES + "\nrest.address: jobmanager")
                    .args("flink", "run", "--class", "org.apache.flink.table.examples.java.basics.WordCountSQLExample",
                            "/jobs/flink-examples-table.jar"));
            assertThat(program.exitCode()).as(program.stdout() + program.stderr()).isZero();
            assertThat(program.stdout()).containsPattern("\\|\\s+Ciao \\|\\s+1 \\|")
                    .containsPattern("\\|\\s+Hello \\|\\s+3 \\|").contains("2 rows in set");

            Processes.Result client = docker.runToEnd(Duration.ofMinutes(3), docker.container("sql-client", JM)
                    .volume(SCRIPTS.toString(), "/scripts", true)
                    .env("FLINK_PROPERTIES", PROPERTIES + "\nrest.address: jobmanager")
                    .args("sql-client", "-f", "/scripts/batch-totals.sql"));

            assertThat(client.exitCode()).as(client.stdout() + client.stderr()).isZero();
            assertThat(client.stdout()).containsPattern("\\|\\s+0 \\|\\s+3 \\|\\s+18 \\|")
                    .containsPattern("\\|\\s+1 \\|\\s+4 \\|\\s+22 \\|")
                    .containsPattern("\\|\\s+2 \\|\\s+3 \\|\\s+15 \\|");
        }
    }

    @Test
    void sqlGatewayRunsStatementsOnTheSessionCluster() {
        try (DockerRuns docker = new DockerRuns()) {
            startSessionCluster(docker);
            String gateway = docker.start(docker.container("sql-gateway", JM).publish(8083)
                    .env("FLINK_PROPERTIES", PROPERTIES + "\nrest.address: jobmanager").args("sql-gateway"));
            FlinkRest rest = new FlinkRest("127.0.0.1", docker.engine().publishedPort(gateway, 8083));
            JsonNode info = Await.until("the SQL Gateway", DockerRuns.STARTUP, () -> Optional.of(rest.get("/v1/info")));
            assertThat(info.path("version").asText()).isEqualTo("2.3.0");

            String session = rest.post("/v1/sessions", "{}").path("sessionHandle").asText();
            String operation = rest.post("/v1/sessions/" + session + "/statements",
                    "{\"statement\": \"SELECT x * 7 FROM (VALUES (6)) AS t(x)\"}").path("operationHandle").asText();
            // Results come in pages: each answer says where the next one is (NOT_READY repeats a page).
            String[] page = {"/v1/sessions/" + session + "/operations/" + operation + "/result/0"};
            JsonNode rows = Await.until("the query's result", DockerRuns.STARTUP, () -> {
                JsonNode result = rest.get(page[0]);
                page[0] = result.path("nextResultUri").asText(page[0]);
                JsonNode data = result.at("/results/data");
                return data.isArray() && !data.isEmpty() ? Optional.of(data) : Optional.empty();
            });
            assertThat(rows.get(0).path("fields").get(0).asInt()).isEqualTo(42);
        }
    }

    private static void startSessionCluster(DockerRuns docker) {
        String jobManager = docker.start(docker.container("jobmanager", JM).publish(8081)
                .env("FLINK_PROPERTIES", PROPERTIES).args("jobmanager"));
        docker.start(docker.container("taskmanager", TM).env("FLINK_PROPERTIES", PROPERTIES).args("taskmanager"));
        FlinkRest rest = docker.rest(jobManager, 8081);
        Await.condition("a TaskManager", DockerRuns.STARTUP, () -> rest.overview().path("taskmanagers").asInt() == 1);
    }

    static int awaitExit(DockerRuns docker, String container) {
        return Await.until(container + " to exit", Duration.ofMinutes(3), () -> {
            String[] state = docker.engine().run("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", container)
                    .orThrow().stdout().trim().split(" ");
            return "false".equals(state[0]) ? Optional.of(Integer.parseInt(state[1])) : Optional.empty();
        });
    }
}
