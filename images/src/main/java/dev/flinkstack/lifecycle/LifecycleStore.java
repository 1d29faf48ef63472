package dev.flinkstack.lifecycle;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FSDataOutputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a job's lifecycle has to remember across JobManager processes, as small files in the
 * cluster's durable storage ({@code flinkstack.lifecycle.dir}, on any file system Flink has), one
 * directory per job id. The Helm chart sets the directory; without it (a plain `docker run`) none of
 * this applies and Flink behaves as it always does.
 */
public final class LifecycleStore {

    public static final ConfigOption<String> DIR = ConfigOptions.key("flinkstack.lifecycle.dir")
            .stringType().noDefaultValue()
            .withDescription("Directory of the lifecycle files of this cluster, on durable storage.");

    /**
     * Written by {@code control savepoint} before it stops the job ("trigger-id"): the job's end that
     * follows is an upgrade's or a suspension's, not the job's own, so the next JobManager runs it.
     * Removed once the job runs again.
     */
    public static final String STOPPING = "stopping";
    /** Written by {@code control savepoint --suspend} once the job stopped; removed when a JobManager starts. */
    public static final String SUSPENDED = "suspended";
    /** The job's first start: {@link RestorePoint.FirstStart}. */
    public static final String FIRST_START = "first-start";
    /** The terminal state ("STATUS restart-nonce") the job ended in, written by {@link JobStatusRecorder}. */
    public static final String TERMINATED = "terminated";
    /** The job definition last started with HA ({@link LifecycleOptions#DEFINITION}); another one deletes the stored plan ({@link StoredExecutionPlan}). */
    public static final String DEFINITION = "definition";
    /** A session job the reconciler submitted: its name, then the hash of its entry ({@code control reconcile}). */
    public static final String SESSION_JOB = "session-job";

    private final Path dir;

    private LifecycleStore(Path dir) {
        this.dir = dir;
    }

    /** The store of job {@code jobId}, when the configuration has a lifecycle directory. */
    public static Optional<LifecycleStore> of(Configuration config, String jobId) {
        return config.getOptional(DIR).map(dir -> new LifecycleStore(new Path(dir, jobId)));
    }

    public Optional<String> read(String name) {
        Path file = new Path(dir, name);
        try {
            FileSystem fs = file.getFileSystem();
            if (!fs.exists(file)) {
                return Optional.empty();
            }
            try (FSDataInputStream in = fs.open(file)) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public void write(String name, String content) {
        Path file = new Path(dir, name);
        try (FSDataOutputStream out = file.getFileSystem().create(file, FileSystem.WriteMode.OVERWRITE)) {
            out.write((content + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    public void delete(String name) {
        Path file = new Path(dir, name);
        try {
            file.getFileSystem().delete(file, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file, e);
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
