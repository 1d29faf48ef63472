package dev.flinkstack.control;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.kubernetes.configuration.KubernetesConfigOptions;
import org.apache.flink.kubernetes.kubeclient.FlinkKubeClientFactory;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.flink.kubernetes.utils.KubernetesUtils;

import java.util.Map;

/**
 * {@code control ha-cleanup}: deletes the ConfigMaps Flink's Kubernetes HA services created for this
 * cluster (leader election, job graphs, checkpoint pointers), those Flink labels with the cluster id
 * ({@code app=<kubernetes.cluster-id>}, {@code type=flink-native-kubernetes}), and nothing else. The
 * chart runs it after an uninstall, once the JobManagers are gone (they would recreate them), so a
 * reinstall starts from the savepoints and checkpoints on durable storage, not from pointers that may
 * outlive them.
 */
final class HaCleanup {

    private HaCleanup() {}

    static int run(Configuration config) {
        if (!"kubernetes".equalsIgnoreCase(config.get(HighAvailabilityOptions.HA_MODE))) {
            throw new IllegalArgumentException("ha-cleanup needs high-availability.type: kubernetes, not '"
                    + config.get(HighAvailabilityOptions.HA_MODE) + "'");
        }
        String clusterId = config.get(KubernetesConfigOptions.CLUSTER_ID);
        if (clusterId == null || clusterId.isBlank()) {
            throw new IllegalArgumentException("ha-cleanup needs kubernetes.cluster-id");
        }
        Map<String, String> labels = KubernetesUtils.getConfigMapLabels(clusterId);
        try (KubernetesClient client = FlinkKubeClientFactory.getInstance().createFabric8ioKubernetesClient(config)) {
            int deleted = client.configMaps().withLabels(labels).delete().size();
            System.err.println("control: deleted " + deleted + " HA ConfigMap(s) of cluster " + clusterId
                    + " in namespace " + client.getNamespace() + " (labels " + labels + ")");
            return 0;
        } catch (KubernetesClientException e) {
            System.err.println("control: FAILED: cannot delete the HA ConfigMaps of cluster " + clusterId
                    + " (labels " + labels + "): " + e.getMessage() + ". Delete them with: kubectl delete configmap -l "
                    + String.join(",", labels.entrySet().stream().map(l -> l.getKey() + "=" + l.getValue()).sorted().toList()));
            return 1;
        }
    }
}
