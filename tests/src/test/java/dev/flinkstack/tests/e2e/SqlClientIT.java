package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.Processes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code make sql} as a person uses it: the local cluster {@code make run SOURCE=kafka} starts (a
 * Kafka broker, a SQL job filling its topic from the generator, the example job reading it and
 * writing alerts to Kafka), the SQL client typed into in a terminal (a tmux pane the test reads like
 * a screen), and a script run with it non-interactively. They use the example job's format and
 * generator connector, and Flink's Kafka connector from the image.
 */
class SqlClientIT {

    private static final Path LOCAL_CLUSTER = Path.of("..", "local", "cluster.sh").toAbsolutePath();
    private static final Duration STEP = Duration.ofMinutes(2);
    private static final String TMUX_SOCKET = "flinkstack-sql-client-it";

    /** A bounded count over the example job's generator: 100 records, every 10th malformed. */
    private static final String QUERY = "CREATE TEMPORARY TABLE flows (src STRING, error STRING) WITH ("
            + "'connector' = 'traffic-generator', 'format' = 'traffic-flow', 'records' = '100', 'rate' = '0', "
            + "'malformed-every' = '10', 'start-time' = '2026-01-01T00:00:00Z');";

    @Test
    void aPersonQueriesTheLocalClusterInTheSqlClientAndRunsAScript(@TempDir Path localDir) throws IOException {
        List<String> environment = List.of("env", "LOCAL_DIR=" + localDir, "SOURCE=kafka",
                "KAFKA_IMAGE=" + System.getProperty("image.kafka"));
        try {
            String started = run(environment, "start", "session", "2").stdout();
            assertThat(started).contains("example job RUNNING").contains("Kafka:           localhost:9094");
            // The example job's alerts, committed in Kafka: only there if it read the feeder's lines from Kafka.
            Processes.Result alert = Processes.run(Duration.ofMinutes(3), List.of(engine(), "exec", "flinkstack-kafka",
                    "/opt/kafka/bin/kafka-console-consumer.sh", "--bootstrap-server", "localhost:9094", "--topic", "alerts",
                    "--from-beginning", "--isolation-level", "read_committed", "--max-messages", "1", "--timeout-ms", "150000"));
            assertThat(alert.stdout()).as(alert.describe()).containsPattern("\\{\"type\":\"[A-Z_]+\"");

            tmux("new-session", "-d", "-s", "sql", "-x", "200", "-y", "50",
                    String.join(" ", environment) + " " + LOCAL_CLUSTER + " sql");
            awaitScreen("Flink SQL>");
            type("SET 'sql-client.execution.result-mode' = 'tableau';");
            type("SET 'execution.runtime-mode' = 'batch';");
            type(QUERY);
            type("SELECT COUNT(*) AS total, COUNT(error) AS malformed FROM flows;");
            String screen = awaitScreen("1 row in set");
            assertThat(screen).containsPattern("\\|\\s+100 \\|\\s+10 \\|");
            type("QUIT;");
            Await.condition("the SQL client to quit", STEP, () -> !tmuxSessionExists());

            Path script = localDir.resolve("count.sql");
            Files.writeString(script, "SET 'sql-client.execution.result-mode' = 'tableau';\n"
                    + "SET 'execution.runtime-mode' = 'batch';\n" + QUERY + "\n"
                    + "SELECT COUNT(*) - COUNT(error) AS parsed FROM flows;\n"
                    + "CREATE TEMPORARY TABLE topic (line STRING) WITH ('connector' = 'kafka', 'topic' = 'flows', "
                    + "'properties.bootstrap.servers' = 'kafka:9092', 'format' = 'raw', "
                    + "'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');\n"
                    + "SELECT COUNT(*) > 1000 AS fed FROM topic;\n");
            Processes.Result result = run(environment, "sql", script.toString());
            assertThat(result.stdout()).containsPattern("\\|\\s+90 \\|").containsPattern("\\|\\s+TRUE \\|")
                    .contains("1 row in set");
            assertThat(result.stdout()).as("the client logs to a file, not over its output").doesNotContain(" INFO ");
        } finally {
            Processes.run(Duration.ofSeconds(30), List.of("tmux", "-L", TMUX_SOCKET, "kill-server"));
            Processes.run(Duration.ofMinutes(1), List.of("env", "LOCAL_DIR=" + localDir, LOCAL_CLUSTER.toString(), "stop"));
        }
    }

    private static Processes.Result run(List<String> environment, String... arguments) {
        List<String> command = new ArrayList<>(environment);
        command.add(LOCAL_CLUSTER.toString());
        command.addAll(List.of(arguments));
        return Processes.run(Duration.ofMinutes(4), command).orThrow();
    }

    private static String engine() {
        return System.getProperty("container.engine", "docker");
    }

    private static void tmux(String... arguments) {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", TMUX_SOCKET));
        command.addAll(List.of(arguments));
        Processes.run(Duration.ofSeconds(30), command).orThrow();
    }

    /** Types a line and presses Enter, as a person would. */
    private static void type(String line) {
        // A space after the statement's ";": tmux reads an argument that ends in ";" as a command separator.
        tmux("send-keys", "-t", "sql", "-l", line + " ");
        tmux("send-keys", "-t", "sql", "Enter");
        awaitScreen("Flink SQL> " + line.substring(0, Math.min(20, line.length())));
    }

    /** The pane's text, history included, once it shows {@code text}. */
    private static String awaitScreen(String text) {
        return Await.until("the terminal to show '" + text + "'", STEP, () -> {
            String screen = Processes.run(Duration.ofSeconds(30),
                    List.of("tmux", "-L", TMUX_SOCKET, "capture-pane", "-p", "-J", "-S", "-", "-t", "sql")).stdout();
            return screen.contains(text) ? java.util.Optional.of(screen) : java.util.Optional.empty();
        });
    }

    private static boolean tmuxSessionExists() {
        return Processes.run(Duration.ofSeconds(30), List.of("tmux", "-L", TMUX_SOCKET, "has-session", "-t", "sql")).succeeded();
    }
}
