package dev.flinkstack.lifecycle;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.checkpoint.Checkpoints;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a starting application JobManager runs its job, and from which state: the decision behind
 * the chart's {@code job.upgradeMode}, {@code job.fromSavepoint} and {@code job.restartNonce},
 * taken from the cluster's durable storage alone, so it holds after a crash, a drain, an upgrade, a
 * suspension or a reinstall. (With HA, Flink's own checkpoint pointers take precedence over the
 * path chosen here while they exist.)
 *
 * <ol>
 *   <li>A job that ended by itself (FINISHED, CANCELED, FAILED) under the current restart nonce stays
 *       ended. An end an upgrade or a suspension caused (its {@link LifecycleStore#STOPPING} mark) does not count.
 *   <li>An initial savepoint not yet applied under its nonce is the state.
 *   <li>Otherwise the newest (highest checkpoint id) of: the job's retained checkpoints
 *       ({@code <checkpoint dir>/<job id>/chk-N}), the job's savepoints in the savepoint directory
 *       (those upgrades and suspensions took), and the initial savepoint it was restored from. A job
 *       restored from a snapshot continues its numbering, so the highest id is the latest state.
 *   <li>Nothing: the job starts empty.
 * </ol>
 *
 * In stateless mode the chart's job id changes with the job definition, so a new definition finds
 * nothing of its predecessor's and starts empty.
 */
public record RestorePoint(boolean run, Optional<String> path, String reason) {

    private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

    public static RestorePoint choose(Configuration config, LifecycleStore store, String jobId) {
        store.delete(LifecycleStore.SUSPENDED);
        Optional<String> ended = store.read(LifecycleStore.TERMINATED);
        if (ended.isPresent() && store.read(LifecycleStore.STOPPING).isEmpty()) {
            String[] statusAndNonce = (ended.get() + " ").split(" ", 2);
            if (statusAndNonce[1].trim().equals(config.get(LifecycleOptions.RESTART_NONCE))) {
                return new RestorePoint(false, Optional.empty(), "job " + jobId + " ended " + statusAndNonce[0]
                        + "; it runs again only with a new job.restartNonce");
            }
        }
        Optional<String> initial = config.getOptional(LifecycleOptions.INITIAL_SAVEPOINT);
        Optional<FirstStart> firstStart = FirstStart.read(store);
        String nonce = config.get(LifecycleOptions.INITIAL_SAVEPOINT_NONCE);
        if (initial.isPresent() && (firstStart.isEmpty() || !firstStart.get().nonce().equals(nonce))) {
            return new RestorePoint(true, initial, "the initial savepoint (job.fromSavepoint)");
        }
        String ignored = initial.isPresent() && !initial.get().equals(firstStart.get().savepoint())
                ? "; job.fromSavepoint is not applied, as the job ran before (a new job.savepointRedeployNonce applies it)"
                : "";

        Snapshot latest = null;
        for (FileStatus dir : list(new Path(config.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY), jobId))) {
            Matcher matcher = CHECKPOINT.matcher(dir.getPath().getName());
            if (matcher.matches() && exists(new Path(dir.getPath(), "_metadata"))) {
                latest = Snapshot.newer(latest, new Snapshot(Long.parseLong(matcher.group(1)), dir.getPath()));
            }
        }
        Optional<String> savepoints = config.getOptional(CheckpointingOptions.SAVEPOINT_DIRECTORY);
        if (savepoints.isPresent()) {
            String prefix = "savepoint-" + jobId.substring(0, 6) + "-";
            for (FileStatus dir : list(new Path(savepoints.get()))) {
                if (dir.getPath().getName().startsWith(prefix)) {
                    latest = Snapshot.newer(latest, Snapshot.read(dir.getPath()));
                }
            }
        }
        if (firstStart.isPresent() && !firstStart.get().savepoint().isEmpty()) {
            latest = Snapshot.newer(latest, Snapshot.read(new Path(firstStart.get().savepoint())));
        }
        return latest == null
                ? new RestorePoint(true, Optional.empty(), "no checkpoint or savepoint of job " + jobId + " yet" + ignored)
                : new RestorePoint(true, Optional.of(latest.path().toString()), "the latest checkpoint or savepoint of job "
                        + jobId + " (checkpoint id " + latest.id() + ")" + ignored);
    }

    /**
     * The job's first start, or its latest under a new savepoint nonce: the initial savepoint it
     * was restored from ("" for none) and that nonce. Recorded once the job runs
     * ({@link JobStatusRecorder}), so the initial savepoint is applied once per nonce.
     */
    public record FirstStart(String savepoint, String nonce) {

        static Optional<FirstStart> read(LifecycleStore store) {
            return store.read(LifecycleStore.FIRST_START).map(text -> {
                String[] lines = (text + "\n").split("\n", -1);
                return new FirstStart(lines[0].trim(), lines[1].trim());
            });
        }

        /** Records the current start when it is the first (under the current nonce). */
        static void recordIfFirst(LifecycleStore store, Configuration config) {
            String nonce = config.get(LifecycleOptions.INITIAL_SAVEPOINT_NONCE);
            if (read(store).filter(recorded -> recorded.nonce().equals(nonce)).isEmpty()) {
                new FirstStart(config.getOptional(LifecycleOptions.INITIAL_SAVEPOINT).orElse(""), nonce).write(store);
            }
        }

        public void write(LifecycleStore store) {
            store.write(LifecycleStore.FIRST_START, savepoint + "\n" + nonce);
        }
    }

    /** A complete checkpoint or savepoint: its directory has _metadata. */
    private record Snapshot(long id, Path path) {

        static Snapshot newer(Snapshot a, Snapshot b) {
            return a == null || (b != null && b.id() > a.id()) ? b : a;
        }

        /** The snapshot in {@code location} (its directory or _metadata), its id from the metadata; null when it is incomplete. */
        static Snapshot read(Path location) {
            Path dir = location.getName().equals("_metadata") ? location.getParent() : location;
            Path metadata = new Path(dir, "_metadata");
            if (!exists(metadata)) {
                return null;
            }
            try (FSDataInputStream in = metadata.getFileSystem().open(metadata)) {
                long id = Checkpoints.loadCheckpointMetadata(new DataInputStream(in),
                        RestorePoint.class.getClassLoader(), dir.toString()).getCheckpointId();
                return new Snapshot(id, dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + metadata, e);
            }
        }
    }

    private static FileStatus[] list(Path dir) {
        try {
            FileSystem fs = dir.getFileSystem();
            return fs.exists(dir) ? fs.listStatus(dir) : new FileStatus[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static boolean exists(Path file) {
        try {
            return file.getFileSystem().exists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
