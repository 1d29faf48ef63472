package dev.flinkstack.tests.support.chart;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions on helm's error output. */
public final class ErrorMessages {

    private ErrorMessages() {}

    /**
     * Asserts that helm failed and that its error names the value {@code key}, written as
     * {@code a.b[0].c}. Helm 3 writes schema errors as {@code a.b.0.c}, Helm 4 as {@code /a/b/0/c},
     * validate.yaml as {@code a.b[0].c}; an unknown key may be reported as its parent plus its name.
     * A Flink key (dots in its name) of flinkConfiguration is {@code /flinkConfiguration/a.b} in Helm 4.
     */
    public static void assertFailsNamingKey(Helm.Result result, String key) {
        assertThat(result.exitCode()).as("helm exit code (stdout: %s)", result.stdout()).isNotZero();
        String dotted = key.replaceAll("\\[(\\d+)]", ".$1");
        String slashed = "/" + dotted.replace('.', '/');
        String parent = dotted.contains(".") ? dotted.substring(0, dotted.lastIndexOf('.')) : "";
        String leaf = dotted.substring(dotted.lastIndexOf('.') + 1);
        String error = result.stderr();
        String mapKey = "/" + key.replaceFirst("\\.", "/");
        boolean fullKey = List.of(key, dotted, slashed, mapKey).stream().anyMatch(error::contains);
        boolean parentAndLeaf = error.contains(leaf);
        if (!parent.isEmpty()) {
            parentAndLeaf &= error.contains(parent) || error.contains("/" + parent.replace('.', '/'));
        }
        assertThat(fullKey || parentAndLeaf)
                .as("helm's error names the key %s:%n%s", key, error)
                .isTrue();
    }
}
