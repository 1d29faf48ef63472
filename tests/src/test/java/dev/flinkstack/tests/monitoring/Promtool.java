package dev.flinkstack.tests.monitoring;

import dev.flinkstack.tests.support.Processes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Prometheus' promtool (Debian package {@code prometheus}), from {@code promtool.binary} or the PATH. */
final class Promtool {

    private Promtool() {}

    /** Runs promtool; rule_files of a test file resolve relative to that test file. */
    static Processes.Result run(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("promtool.binary", "promtool"));
        command.addAll(List.of(arguments));
        return Processes.run(Duration.ofMinutes(2), command);
    }
}
