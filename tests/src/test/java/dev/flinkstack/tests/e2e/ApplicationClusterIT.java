package dev.flinkstack.tests.e2e;

import dev.flinkstack.tests.support.ExampleJob;
import dev.flinkstack.tests.support.FlinkContainerCluster;
import dev.flinkstack.tests.support.RunningJob;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A job (application) cluster: `standalone-job` runs the image's job with no submission step. */
class ApplicationClusterIT {

    @Test
    void standaloneJobRunsTheExampleJobWithoutSubmission() {
        List<String> args = new ArrayList<>(List.of("--job-classname", ExampleJob.MAIN_CLASS));
        args.addAll(ExampleJob.ARGUMENTS);
        try (FlinkContainerCluster cluster = FlinkContainerCluster.application(args).start()) {
            RunningJob job = RunningJob.awaitRunning(cluster::rest, Duration.ofMinutes(2));
            job.awaitCompletedCheckpoints(1, Duration.ofMinutes(1));
            String jobId = job.id();

            assertThat(cluster.rest().job(jobId).path("name").asText()).isNotBlank();
            assertThat(cluster.rest().jobIds()).containsExactly(jobId);
        }
    }
}
