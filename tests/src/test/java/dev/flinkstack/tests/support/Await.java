package dev.flinkstack.tests.support;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes; the failure says what was last seen. */
public final class Await {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    private Await() {}

    /**
     * Polls {@code probe} until it returns a value, and returns it. Exceptions thrown by the probe
     * count as "not yet" (a server that is still starting refuses connections).
     */
    public static <T> T until(String what, Duration timeout, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastError = null;
        while (true) {
            try {
                Optional<T> value = probe.get();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + timeout + " waiting for " + what, lastError);
            }
            sleep(POLL_INTERVAL);
        }
    }

    /** Polls until {@code condition} is true. */
    public static void condition(String what, Duration timeout, Supplier<Boolean> condition) {
        until(what, timeout, () -> condition.get() ? Optional.of(true) : Optional.empty());
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
