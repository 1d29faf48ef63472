package dev.flinkstack.tests.support.chart;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The parts of {@link PodRunner} that mirror Kubernetes semantics without a container engine. */
class PodRunnerTest {

    @Test
    void shouldExpandDefinedVariablesLikeKubernetes() {
        Map<String, String> env = Map.of("POD_IP", "10.0.0.7", "POD_NAME", "tm-0");
        assertThat(PodRunner.expand("-Dtaskmanager.host=$(POD_IP)", env)).isEqualTo("-Dtaskmanager.host=10.0.0.7");
        assertThat(PodRunner.expand("$(POD_NAME)-$(POD_IP)", env)).isEqualTo("tm-0-10.0.0.7");
        assertThat(PodRunner.expand("$(UNDEFINED) stays", env)).isEqualTo("$(UNDEFINED) stays");
        assertThat(PodRunner.expand("$$(POD_IP) is escaped", env)).isEqualTo("$(POD_IP) is escaped");
        assertThat(PodRunner.expand("no variables: $HOME", env)).isEqualTo("no variables: $HOME");
    }

    @Test
    void shouldConvertKubernetesMemoryToDockerSizes() {
        assertThat(PodRunner.dockerSize("1536Mi")).isEqualTo("1536m");
        assertThat(PodRunner.dockerSize("2Gi")).isEqualTo("2g");
        assertThat(PodRunner.dockerSize("1024")).isEqualTo("1024");
    }
}
