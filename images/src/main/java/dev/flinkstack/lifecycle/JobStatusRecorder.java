package dev.flinkstack.lifecycle;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobExecutionStatusEvent;
import org.apache.flink.core.execution.JobStatusChangedEvent;
import org.apache.flink.core.execution.JobStatusChangedListener;
import org.apache.flink.core.execution.JobStatusChangedListenerFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs in the JobManager ({@code execution.job-status-changed-listeners}) and records in the
 * cluster's {@link LifecycleStore} what the next JobManager must know for {@link RestorePoint}: a
 * job that ended (FINISHED, CANCELED, FAILED), and, once the job runs, that an upgrade's stop is
 * over and the initial savepoint is applied. Flink calls it synchronously on every job status
 * change, so a stop-with-savepoint is recorded by the time its caller sees it done.
 */
public final class JobStatusRecorder implements JobStatusChangedListener {

    private static final Logger LOG = LoggerFactory.getLogger(JobStatusRecorder.class);

    private final Configuration config;

    private JobStatusRecorder(Configuration config) {
        this.config = config;
    }

    @Override
    public void onEvent(JobStatusChangedEvent event) {
        if (!(event instanceof JobExecutionStatusEvent status)) {
            return;
        }
        String job = event.jobId().toString();
        JobStatus state = status.newStatus();
        LifecycleStore store = LifecycleStore.of(config, job).orElseThrow();
        try {
            if (state == JobStatus.RUNNING) {
                store.delete(LifecycleStore.TERMINATED);
                store.delete(LifecycleStore.STOPPING);
                RestorePoint.FirstStart.recordIfFirst(store, config);
            } else if (state.isGloballyTerminalState()) {
                store.write(LifecycleStore.TERMINATED, state + " " + config.get(LifecycleOptions.RESTART_NONCE));
                LOG.info("Job {} {}: recorded in {}", job, state, store);
            }
        } catch (RuntimeException e) {
            LOG.error("Cannot record that job {} is {} in {}", job, state, store, e);
        }
    }

    /** The factory Flink instantiates by name; a no-op without a lifecycle directory. */
    public static final class Factory implements JobStatusChangedListenerFactory {
        @Override
        public JobStatusChangedListener createListener(Context context) {
            Configuration config = context.getConfiguration();
            return config.getOptional(LifecycleStore.DIR).isPresent() ? new JobStatusRecorder(config) : event -> {};
        }
    }
}
