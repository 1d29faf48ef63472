package dev.flinkstack.tests.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs external commands (docker, helm) with a timeout and captures their output. */
public final class Processes {

    private Processes() {}

    /** What a finished command returned. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        public boolean succeeded() {
            return exitCode == 0;
        }

        /** Returns this result, or throws with the command's output when it failed. */
        public Result orThrow() {
            if (!succeeded()) {
                throw new IllegalStateException(describe());
            }
            return this;
        }

        public String describe() {
            return String.join(" ", command)
                    + " exited with "
                    + exitCode
                    + "\nstdout:\n"
                    + stdout
                    + "\nstderr:\n"
                    + stderr;
        }
    }

    public static Result run(Duration timeout, List<String> command) {
        try {
            Path stdout = Files.createTempFile("process", ".out");
            Path stderr = Files.createTempFile("process", ".err");
            try {
                Process process =
                        new ProcessBuilder(command)
                                .redirectOutput(stdout.toFile())
                                .redirectError(stderr.toFile())
                                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                                .start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new IllegalStateException(
                            String.join(" ", command) + " did not finish within " + timeout);
                }
                return new Result(
                        List.copyOf(command),
                        process.exitValue(),
                        Files.readString(stdout, StandardCharsets.UTF_8),
                        Files.readString(stderr, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(stdout);
                Files.deleteIfExists(stderr);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }
}
