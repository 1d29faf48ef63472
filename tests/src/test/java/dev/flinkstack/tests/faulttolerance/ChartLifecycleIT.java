package dev.flinkstack.tests.faulttolerance;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flinkstack.tests.support.Await;
import dev.flinkstack.tests.support.ContainerEngine;
import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.FlinkRest;
import dev.flinkstack.tests.support.JobOutput;
import dev.flinkstack.tests.support.RunningJob;
import dev.flinkstack.tests.support.ZooKeeperServer;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmEmulator;
import dev.flinkstack.tests.support.chart.Values;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job lifecycle of an application cluster without an operator, along the chart's own path: each
 * Helm operation is emulated ({@link HelmEmulator}) with the manifests and hooks Helm renders for it,
 * on the images under test, with job.upgradeMode=savepoint. One bounded, deterministic job lives
 * through install, an upgrade to a new image with a changed job argument, a rollback, three failed
 * upgrades (the REST API does not answer; the job does not run; the savepoint times out), suspend, resume, a SIGKILLed
 * JobManager, uninstall and reinstall; it then finishes, and a JobManager restart does not run it again. Its committed output
 * must equal an undisturbed run's exactly: nothing lost, nothing twice. The same for a session
 * cluster's job kept by the chart's reconciler.
 */
@Order(1) // the longest end-to-end test: started first, so the suite does not wait for it at its end
class ChartLifecycleIT {

    /**
     * The main scenario's job, 120 s of input: it must outlast every operation's restart. Its steps up
     * to the uninstall use 93 to 97 s of it (test classes run one at a time; with -Dit.parallelism=2 a
     * busy machine needed 150 s). With 100 s, the reinstalled job once had 3 s left and finished before
     * the test saw it run. The scenarios with three operations run {@link BoundedJob#LONG}.
     */
    private static final BoundedJob JOB = new BoundedJob(240_000, 2_000);
    private static final Duration STARTUP = Duration.ofMinutes(3);
    private static final String JOB_MANAGER = "Deployment/flink-jobmanager";
    private static final String TASK_MANAGER = "Deployment/flink-taskmanager";

    @Test
    void everyHelmOperationKeepsTheJobsStateExactly(@TempDir Path buildContext) {
        ReferenceRun.start(JOB);
        ContainerEngine engine = ContainerEngine.fromSystemProperties();
        String newTag = Helm.imageTagUnderTest() + "-lifecycle";
        FlinkContainerCluster.buildNewImageVersions(engine, "-lifecycle", buildContext);
        Values installed = values(JOB.arguments());
        Values upgraded = values(withArgument(JOB.arguments(), "--checkpoint-interval", "3s")).with("image.tag", newTag);

        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest()) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(installed);
            Path claim = helm.podRunner().claimDir("flink-checkpoints");
            RunningJob job = RunningJob.awaitRunning(rest, STARTUP);
            String jobId = job.id();
            job.awaitProgress(STARTUP);

            // Upgrade: a new image and a changed job argument. The hook stops the job with a savepoint,
            // and the new JobManager runs the new definition from exactly that savepoint.
            helm.upgrade(upgraded);
            assertRestoredFromTheNewestSavepoint(job, claim);
            assertThat(helm.image(JOB_MANAGER)).endsWith(":" + newTag);
            assertThat(helm.image(TASK_MANAGER)).endsWith(":" + newTag);
            assertThat(checkpointInterval(rest.get(), jobId)).as("the new job argument is in effect").isEqualTo(3000);
            job.awaitProgress(STARTUP);

            // Rollback: revision 1's hook and manifests, from the savepoint the hook takes.
            helm.rollback(1);
            assertRestoredFromTheNewestSavepoint(job, claim);
            assertThat(helm.image(JOB_MANAGER)).endsWith(":" + Helm.imageTagUnderTest());
            assertThat(checkpointInterval(rest.get(), jobId)).isEqualTo(2000);
            job.awaitProgress(STARTUP);

            // A failed upgrade: the hook cannot reach the REST API (the JobManager does not answer).
            // Helm fails and nothing is replaced; the job runs on once the JobManager answers again.
            String unresponsive = helm.pods(JOB_MANAGER).get(0);
            engine.pause(helm.podRunner().containerName(unresponsive));
            assertThatThrownBy(() -> helm.upgrade(upgraded))
                    .isInstanceOf(HelmEmulator.HookFailed.class)
                    .hasMessageContaining("cannot reach the JobManager's REST API")
                    .hasMessageContaining("Nothing was changed");
            assertThat(helm.revision()).as("the failed upgrade changed nothing").isEqualTo(3);
            assertThat(helm.pods(JOB_MANAGER)).containsExactly(unresponsive);
            engine.run("unpause", helm.podRunner().containerName(unresponsive)).orThrow();
            job.awaitProgress(STARTUP);

            // A failed upgrade: the job does not run, its TaskManager gone (kubectl scale --replicas 0).
            // Helm fails and nothing is replaced; with a TaskManager back the job resumes.
            Values impatient = upgraded.with("job.savepointTimeout", "5s");
            helm.scale(TASK_MANAGER, 0);
            Await.condition("the job without its tasks running", STARTUP, () -> !job.fullyRunning());
            assertThatThrownBy(() -> helm.upgrade(impatient))
                    .isInstanceOf(HelmEmulator.HookFailed.class)
                    .hasMessageContaining("a savepoint needs the job and all its tasks running. Nothing was changed");
            assertThat(helm.revision()).as("the failed upgrade changed nothing").isEqualTo(3);
            helm.scale(TASK_MANAGER, 1);
            job.awaitFullyRunning(STARTUP);
            job.awaitProgress(STARTUP);

            // A failed upgrade: the TaskManager cannot acknowledge the savepoint in time. Helm fails and
            // nothing is replaced. Flink completes the savepoint later, which stops the job; a retry
            // then upgrades it from that savepoint.
            String taskManager = helm.pods(TASK_MANAGER).get(0);
            engine.pause(helm.podRunner().containerName(taskManager));
            assertThatThrownBy(() -> helm.upgrade(impatient))
                    .isInstanceOf(HelmEmulator.HookFailed.class)
                    .hasMessageContaining("the savepoint did not complete within 5 s");
            assertThat(helm.revision()).as("the failed upgrade changed nothing").isEqualTo(3);
            assertThat(helm.pods(TASK_MANAGER)).containsExactly(taskManager);
            engine.run("unpause", helm.podRunner().containerName(taskManager)).orThrow();
            job.awaitState("FINISHED", STARTUP);
            helm.upgrade(upgraded);
            assertRestoredFromTheNewestSavepoint(job, claim);
            assertThat(checkpointInterval(rest.get(), jobId)).isEqualTo(3000);
            job.awaitProgress(STARTUP);

            // Suspend: a savepoint, then no Flink pod at all; resume restores that savepoint.
            helm.upgrade(upgraded.with("job.state", "suspended"));
            assertThat(helm.pods(JOB_MANAGER)).isEmpty();
            assertThat(helm.pods(TASK_MANAGER)).isEmpty();
            helm.upgrade(upgraded);
            assertRestoredFromTheNewestSavepoint(job, claim);
            job.awaitProgress(STARTUP);

            // A JobManager crash without HA: the restarted process resumes from the latest checkpoint.
            crashTheJobManager(helm, job);

            // Uninstall takes a savepoint and keeps the claim; a reinstall resumes from it.
            helm.uninstall();
            assertThat(claim).isDirectory();
            helm.install(upgraded);
            assertRestoredFromTheNewestSavepoint(job, claim);

            JobOutput finished = assertFinishedAsUndisturbed("Chart lifecycle", job, JOB, claim);

            // The job ended: a new JobManager process does not run it again.
            String jobManager = helm.pods(JOB_MANAGER).get(0);
            helm.podRunner().crash(jobManager);
            Await.condition("the restarted JobManager's REST API", STARTUP, () -> rest.get().overview() != null);
            assertThat(helm.podRunner().logs(jobManager)).contains("not starting the job: job " + jobId + " ended FINISHED");
            assertThat(rest.get().jobIds()).as("no job runs again").isEmpty();
            assertThat(JobOutput.read(claim.resolve("output")).differencesFrom(finished, 5)).isEmpty();
        } finally {
            engine.run("rmi", FlinkContainerCluster.jobManagerImage() + "-lifecycle",
                    FlinkContainerCluster.taskManagerImage() + "-lifecycle");
        }
    }

    /**
     * With ZooKeeper HA, a leader and a standby JobManager and the default last-state upgrades: the
     * standby serves the REST API too (a checkpoint triggered there completes, and the leader reports
     * it); an upgrade with a changed job argument runs the new definition (a starting JobManager deletes
     * the plan ZooKeeper stored for the old one) from the latest checkpoint, whose pointers stay; when
     * the leader is SIGKILLed, the job is recovered as stored, and no plan is deleted again. The
     * committed output equals an undisturbed run's exactly.
     */
    @Test
    void withHighAvailabilityAnUpgradeRunsTheNewDefinitionFromTheLatestCheckpoint() {
        ReferenceRun.start(BoundedJob.LONG);
        Values installed = values(BoundedJob.LONG.arguments())
                .with("job.upgradeMode", "last-state")
                .with("jobmanager.replicas", 2)
                .with("highAvailability.enabled", true)
                .with("highAvailability.type", "zookeeper")
                .with("highAvailability.zookeeper.quorum", "zookeeper:" + ZooKeeperServer.CLIENT_PORT);
        Values upgraded = installed.with("job.args", withArgument(BoundedJob.LONG.arguments(), "--checkpoint-interval", "3s"));
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest();
             ZooKeeperServer zooKeeper = ZooKeeperServer.start(ContainerEngine.fromSystemProperties(),
                     helm.podRunner().network() + "-zookeeper", helm.podRunner().network(), "zookeeper")) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(installed);
            Path claim = helm.podRunner().claimDir("flink-checkpoints");
            RunningJob job = RunningJob.awaitRunning(rest, STARTUP);
            job.awaitProgress(STARTUP);
            String leader = leadingJobManager(helm);
            String standby = helm.pods(JOB_MANAGER).stream().filter(pod -> !pod.equals(leader)).findFirst().orElseThrow();
            String trigger = helm.rest(JOB_MANAGER, standby).post("/jobs/" + job.id() + "/checkpoints", "{}")
                    .path("request-id").asText();
            long triggered = Await.until("the checkpoint triggered through the standby, on the leader", STARTUP,
                    () -> Optional.of(helm.rest(JOB_MANAGER, leader).get("/jobs/" + job.id() + "/checkpoints/" + trigger))
                            .filter(status -> "COMPLETED".equals(status.at("/status/id").asText()))
                            .map(status -> status.at("/operation/checkpointId").asLong()));
            assertThat(triggered).isPositive();

            long lastCheckpoint = job.latestCompletedCheckpoint();
            helm.upgrade(upgraded);
            job.awaitFullyRunning(STARTUP);
            assertThat(checkpointInterval(rest.get(), job.id())).as("the new job argument is in effect").isEqualTo(3000);
            assertRestoredFromARetainedCheckpoint(job, lastCheckpoint);
            assertThat(jobManagerLogs(helm)).contains("deleted the stored execution plan of the old one (ZooKeeper node /");
            long plansDeleted = storedPlansDeleted(helm);
            job.awaitProgress(STARTUP);

            // The leader dies: a JobManager of the same revision recovers the job as stored.
            long beforeCrash = job.latestCompletedCheckpoint();
            helm.podRunner().crash(leadingJobManager(helm));
            Await.condition("the job recovered from checkpoint " + beforeCrash + " or later", STARTUP, () -> job.fullyRunning()
                    && job.restoredFrom().map(restored -> restored.path("id").asLong() >= beforeCrash).orElse(false));
            assertRestoredFromARetainedCheckpoint(job, beforeCrash);
            assertThat(checkpointInterval(rest.get(), job.id())).isEqualTo(3000);
            assertThat(storedPlansDeleted(helm)).as("no plan deleted again").isEqualTo(plansDeleted);

            assertFinishedAsUndisturbed("HA application upgrade", job, BoundedJob.LONG, claim);
        }
    }

    /** The JobManager pod whose dispatcher leads, by its log. */
    private static String leadingJobManager(HelmEmulator helm) {
        return Await.until("a leading JobManager", STARTUP, () -> helm.pods(JOB_MANAGER).stream()
                .filter(pod -> helm.podRunner().logs(pod).contains("DefaultDispatcherRunner was granted leadership")).findFirst());
    }

    private static String jobManagerLogs(HelmEmulator helm) {
        return String.join("\n", helm.pods(JOB_MANAGER).stream().map(helm.podRunner()::logs).toList());
    }

    /** How many times the JobManagers' launchers deleted a stored execution plan (StoredExecutionPlan). */
    private static long storedPlansDeleted(HelmEmulator helm) {
        return jobManagerLogs(helm).lines().filter(line -> line.contains("deleted the stored execution plan")).count();
    }

    /**
     * The job's SQL version as a chart SQL application (job.sql.script): an upgrade with a changed query
     * that keeps its stateful operators goes through a savepoint, and the committed output equals an
     * undisturbed run's exactly.
     */
    @Test
    void aSqlApplicationUpgradesThroughASavepointWithAChangedQuery() {
        SqlTrafficJob sql = SqlTrafficJob.SHORT;
        ReferenceRun.start(sql);
        Values installed = sqlValues(sql.script());
        // The same alerts, written differently: the plan's stateful operators stay as they were.
        String changedQuery = sql.script().replace("WHERE `bytes` > 10000000", "WHERE `bytes` >= 10000001");
        assertThat(changedQuery).isNotEqualTo(sql.script());

        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest()) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(installed);
            Path claim = helm.podRunner().claimDir("flink-checkpoints");
            helm.test();
            RunningJob job = RunningJob.awaitRunning(rest, STARTUP);
            assertThat(rest.get().get("/jobs/" + job.id()).path("name").asText()).isEqualTo("traffic-analytics-sql");
            job.awaitProgress(STARTUP);

            helm.upgrade(installed.with("job.sql.script", changedQuery));
            assertRestoredFromTheNewestSavepoint(job, claim);
            helm.test();

            assertFinishedAsUndisturbed("SQL application upgrade", job, sql, claim);
        }
    }

    /** A SQL script that cannot run fails the application at start, and helm test says why, at once, in Flink's words. */
    @Test
    void aStatementErrorFailsTheSqlApplicationAndHelmTestReportsIt() {
        Values broken = sqlValues("""
                CREATE TEMPORARY TABLE numbers (n INT) WITH ('connector' = 'datagen');
                INSERT INTO nowhere SELECT n FROM numbers;
                """);
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest()) {
            helm.install(broken);
            long start = System.nanoTime();
            assertThatThrownBy(helm::test)
                    .isInstanceOf(HelmEmulator.HookFailed.class)
                    .hasMessageContaining("application org.apache.flink.table.runtime.application.SqlDriver failed: "
                            + "org.apache.flink.table.api.ValidationException: Cannot find table "
                            + "'`default_catalog`.`default_database`.`nowhere`'");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no waiting for the test's timeout")
                    .isLessThan(Duration.ofMinutes(2));
        }
    }

    private static Values sqlValues(String script) {
        return Values.of("mode", "application",
                "job.sql.script", script,
                "job.parallelism", 2,
                "job.upgradeMode", "savepoint",
                "job.savepointTimeout", "2m",
                "taskmanager.replicas", 1,
                "taskmanager.numberOfTaskSlots", 2);
    }

    /**
     * The same job as a session cluster's `jobs` entry, kept by the chart's reconciler: a SIGKILLed
     * JobManager (without HA the new process knows no job) gets it back from its latest checkpoint, a
     * changed entry is stopped with a savepoint and resubmitted from it, and once it finished nothing
     * runs it again. Its committed output must equal the undisturbed run's exactly.
     */
    @Test
    void sessionJobsKeepTheirStateExactly() {
        ReferenceRun.start(BoundedJob.LONG);
        Values installed = sessionValues(BoundedJob.LONG.arguments());
        try (HelmEmulator helm = HelmEmulator.onImagesUnderTest()) {
            Supplier<FlinkRest> rest = () -> helm.rest(JOB_MANAGER);
            helm.install(installed);
            Path claim = helm.podRunner().claimDir("flink-checkpoints");
            RunningJob job = RunningJob.awaitRunning(rest, STARTUP);
            String jobId = job.id();
            assertThat(rest.get().job(jobId).path("name").asText()).isEqualTo("traffic");
            job.awaitProgress(STARTUP);

            // A JobManager crash without HA: the reconciler submits the job again from its latest checkpoint.
            crashTheJobManager(helm, job);

            // A changed entry: stopped with a savepoint, submitted again in the new form from it (under
            // a new id: this JobManager still knows the stopped one).
            String reconciler = helm.pods("Deployment/flink-jobs").get(0);
            helm.upgrade(sessionValues(withArgument(BoundedJob.LONG.arguments(), "--checkpoint-interval", "3s")));
            String changedId;
            try {
                changedId = Await.until("the changed job", STARTUP, () -> rest.get().jobIds().stream()
                        .filter(id -> !id.equals(jobId) && checkpointInterval(rest.get(), id) == 3000).findFirst());
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the reconciler's log:\n" + helm.podRunner().logs(reconciler), e);
            }
            RunningJob changed = RunningJob.of(rest, changedId);
            assertRestoredFromTheNewestSavepoint(changed, claim);
            assertThat(rest.get().job(changedId).path("name").asText()).isEqualTo("traffic");

            assertFinishedAsUndisturbed("Session jobs", changed, BoundedJob.LONG, claim);

            // The job ended: after another JobManager restart the reconciler leaves it ended.
            helm.podRunner().crash(helm.pods(JOB_MANAGER).get(0));
            Await.condition("the reconciler leaving the ended job alone", STARTUP,
                    () -> helm.podRunner().logs(reconciler).contains("not submitting job 'traffic': job " + changedId + " ended FINISHED"));
            assertThat(rest.get().jobIds()).as("no job runs again").isEmpty();
        }
    }

    /** Waits for the job's end; its committed output must equal the undisturbed run's (0 lost, 0 duplicated). */
    private static JobOutput assertFinishedAsUndisturbed(String scenario, RunningJob job, ReferenceRun.Job definition, Path claim) {
        job.awaitState("FINISHED", definition.nominalDuration().plusMinutes(3));
        JobOutput finished = JobOutput.read(claim.resolve("output"));
        JobOutput expected = ReferenceRun.await(definition);
        System.out.printf("%s: committed %s; undisturbed: %s%n", scenario, finished.summary(), expected.summary());
        assertThat(finished.differencesFrom(expected, 20))
                .as("committed output vs. the undisturbed run (0 lost, 0 duplicated)").isEmpty();
        return finished;
    }

    /** SIGKILLs the JobManager: the job runs again from its latest retained checkpoint and makes progress. */
    private static void crashTheJobManager(HelmEmulator helm, RunningJob job) {
        long lastCheckpoint = job.latestCompletedCheckpoint();
        helm.podRunner().crash(helm.pods(JOB_MANAGER).get(0));
        job.awaitFullyRunning(STARTUP);
        assertRestoredFromARetainedCheckpoint(job, lastCheckpoint);
        job.awaitProgress(STARTUP);
    }

    private static void assertRestoredFromARetainedCheckpoint(RunningJob job, long lastCheckpoint) {
        JsonNode restored = job.restoredFrom().orElseThrow();
        assertThat(restored.path("external_path").asText()).as("a retained checkpoint")
                .startsWith("file:/flink-data/checkpoints/" + job.id() + "/chk-");
        assertThat(restored.path("id").asLong()).isGreaterThanOrEqualTo(lastCheckpoint);
    }

    private static Values sessionValues(List<String> jobArguments) {
        return Values.of("mode", "session",
                "jobs", List.of(Map.of("name", "traffic", "jarFile", "/opt/flink/usrlib/traffic-analytics.jar",
                        "className", ExampleJob.MAIN_CLASS, "parallelism", 2, "args", jobArguments)),
                "job.savepointTimeout", "2m",
                "taskmanager.replicas", 1,
                "taskmanager.numberOfTaskSlots", 2);
    }

    /**
     * The values of revision 1: the images under test running the example job with these arguments,
     * savepoint upgrades, one TaskManager. A paused TaskManager is declared lost after 20 s, well after the failing
     * upgrade's 5 s savepoint timeout.
     */
    private static Values values(List<String> jobArguments) {
        return Values.of("mode", "application",
                "image.tag", Helm.imageTagUnderTest(),
                "job.className", ExampleJob.MAIN_CLASS,
                "job.args", jobArguments,
                "job.parallelism", 2,
                "job.upgradeMode", "savepoint",
                "job.savepointTimeout", "2m",
                "taskmanager.replicas", 1,
                "taskmanager.numberOfTaskSlots", 2)
                .withMap("flinkConfiguration", "heartbeat.timeout", 20000);
    }

    private static List<String> withArgument(List<String> arguments, String name, String value) {
        List<String> changed = new ArrayList<>(arguments);
        changed.set(changed.indexOf(name) + 1, value);
        return changed;
    }

    /** The job runs again, restored from the newest savepoint on the claim: the one the hook took. */
    private static void assertRestoredFromTheNewestSavepoint(RunningJob job, Path claim) {
        job.awaitFullyRunning(STARTUP);
        JsonNode restored = job.restoredFrom().orElseThrow();
        Path newest = newestSavepoint(claim);
        assertThat(ExampleJob.onHost(claim, restored.path("external_path").asText())).isEqualTo(newest);
    }

    private static Path newestSavepoint(Path claim) {
        try (Stream<Path> savepoints = Files.list(claim.resolve("savepoints"))) {
            return savepoints.filter(dir -> Files.exists(dir.resolve("_metadata")))
                    .max(Comparator.comparing(dir -> dir.resolve("_metadata").toFile().lastModified()))
                    .orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long checkpointInterval(FlinkRest rest, String jobId) {
        return rest.get("/jobs/" + jobId + "/checkpoints/config").path("interval").asLong();
    }
}
