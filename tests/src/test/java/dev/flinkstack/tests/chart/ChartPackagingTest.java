package dev.flinkstack.tests.chart;

import dev.flinkstack.tests.support.chart.ExampleValues;
import dev.flinkstack.tests.support.chart.Helm;
import dev.flinkstack.tests.support.chart.HelmTest;
import dev.flinkstack.tests.support.chart.Manifests;
import dev.flinkstack.tests.support.chart.Values;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Chart.yaml, helm lint --strict and helm package. */
class ChartPackagingTest {

    @HelmTest
    void shouldDeclareAV2ChartWithSemVerAndAppVersion(Helm helm) throws IOException {
        JsonNode chart = Manifests.yaml(Files.readString(Helm.chartDir().resolve("Chart.yaml")));
        assertThat(chart.path("apiVersion").asText()).isEqualTo("v2");
        assertThat(chart.path("name").asText()).isEqualTo("flink");
        assertThat(chart.path("version").asText())
                .matches("^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");
        assertThat(chart.path("appVersion").asText()).isEqualTo("2.3.0");
        assertThat(chart.path("kubeVersion").asText()).isNotEmpty();
        assertThat(chart.path("type").asText()).isEqualTo("application");
    }

    @HelmTest
    void shouldRequireASupportedKubernetesVersion(Helm helm) {
        Helm.Result old = helm.template(Values.defaults(), "--kube-version", "1.26.0");
        assertThat(old.exitCode()).isNotZero();
        assertThat(old.stderr()).contains("kubeVersion");
        assertThat(helm.template(Values.defaults(), "--kube-version", "1.27.0").exitCode()).isZero();
        assertThat(helm.template(Values.defaults(), "--kube-version", "1.36.0").exitCode()).isZero();
    }

    @HelmTest
    void shouldPassStrictLintWithDefaults(Helm helm) {
        Helm.Result result = helm.run("lint", "--strict", Helm.chartDir().toString());
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        assertThat(result.stdout()).contains("0 chart(s) failed").doesNotContain("[WARNING]");
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> lintableExamples() {
        return ExampleValues.withHelm().filter(a -> !ExampleValues.NEED_EXTRA_APIS.contains((String) a.get()[1]));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("lintableExamples")
    void shouldPassStrictLintWithEachExample(Helm helm, String valuesFile) {
        Helm.Result result = helm.run("lint", "--strict", Helm.chartDir().toString(),
                "-f", Helm.chartDir().resolve(valuesFile).toString());
        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        assertThat(result.stdout()).doesNotContain("[WARNING]").doesNotContain("[ERROR]");
    }

    @HelmTest
    void shouldFailLintWhenAValueIsInvalid(Helm helm) {
        Helm.Result result = helm.run("lint", "--strict", Helm.chartDir().toString(), "--set", "mode=batch");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.stdout() + result.stderr()).contains("mode");
    }

    @HelmTest
    void shouldPackageWithoutDevelopmentFiles(Helm helm, @TempDir Path out) throws Exception {
        Helm.Result result = helm.run("package", Helm.chartDir().toString(), "--destination", out.toString());
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        Path archive;
        try (Stream<Path> files = Files.list(out)) {
            archive = files.filter(p -> p.toString().endsWith(".tgz")).findFirst().orElseThrow();
        }
        assertThat(archive.getFileName().toString()).matches("flink-\\d+\\.\\d+\\.\\d+.*\\.tgz");

        List<String> entries = tarEntries(archive);
        assertThat(entries).contains(
                "flink/Chart.yaml", "flink/values.yaml", "flink/values.schema.json", "flink/README.md",
                "flink/templates/NOTES.txt", "flink/templates/validate.yaml",
                "flink/templates/tests/test-rest-api.yaml", "flink/conf/config.yaml",
                "flink/conf/log4j-console.properties");
        assertThat(entries).noneMatch(e -> e.startsWith("flink/ci/"));

        // The packaged chart renders like the directory.
        Helm.Result rendered = helm.run("template", "flink", archive.toString());
        assertThat(rendered.exitCode()).as(rendered.stderr()).isZero();
    }

    private static List<String> tarEntries(Path archive) throws Exception {
        Process tar = new ProcessBuilder("tar", "-tzf", archive.toString()).redirectErrorStream(true).start();
        List<String> entries = new ArrayList<>(List.of(new String(tar.getInputStream().readAllBytes()).split("\n")));
        assertThat(tar.waitFor()).isZero();
        return entries;
    }
}
