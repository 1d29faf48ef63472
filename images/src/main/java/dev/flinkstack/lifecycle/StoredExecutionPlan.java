package dev.flinkstack.lifecycle;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.HighAvailabilityOptions;
import org.apache.flink.kubernetes.configuration.KubernetesConfigOptions;
import org.apache.flink.kubernetes.highavailability.KubernetesExecutionPlanStoreUtil;
import org.apache.flink.kubernetes.kubeclient.FlinkKubeClientFactory;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.api.model.ConfigMap;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClient;
import org.apache.flink.kubernetes.shaded.io.fabric8.kubernetes.client.KubernetesClientException;
import org.apache.flink.runtime.highavailability.zookeeper.CuratorFrameworkWithUnhandledErrorListener;
import org.apache.flink.runtime.jobmanager.HighAvailabilityMode;
import org.apache.flink.runtime.jobmanager.ZooKeeperExecutionPlanStoreUtil;
import org.apache.flink.runtime.util.ZooKeeperUtils;
import org.apache.flink.shaded.curator5.org.apache.curator.framework.CuratorFramework;

import java.net.HttpURLConnection;
import java.util.Optional;

/**
 * With high availability, a new JobManager runs the job its HA services stored (the execution plan:
 * operators, arguments, configuration, jars), not the one the application's main method defines now,
 * so an upgrade would change nothing. At a new job definition (the chart's {@link
 * LifecycleOptions#DEFINITION} differs from the one the lifecycle store recorded) the launcher deletes
 * the job's stored execution plan before Flink starts, as the Flink Kubernetes Operator does before a
 * last-state upgrade. The job's checkpoint pointers stay: the new definition, submitted under the same
 * job id, resumes from the latest checkpoint. (Flink does not store a bootstrapped application, only its
 * jobs.) Another JobManager of the same revision finds the new definition recorded and leaves the plan
 * alone; were the plan it deletes a new one, the next leader would just run the main method again.
 */
public final class StoredExecutionPlan {

    private StoredExecutionPlan() {}

    /** Deletes the job's stored execution plan at a new definition; says so when there was one. */
    public static Optional<String> dropAtNewDefinition(Configuration config, LifecycleStore store, String jobId) {
        HighAvailabilityMode mode = HighAvailabilityMode.fromConfig(config);
        Optional<String> definition = config.getOptional(LifecycleOptions.DEFINITION);
        if (mode == HighAvailabilityMode.NONE || definition.isEmpty()
                || definition.equals(store.read(LifecycleStore.DEFINITION))) {
            return Optional.empty();
        }
        JobID job = JobID.fromHexString(jobId);
        Optional<String> deleted = switch (mode) {
            case ZOOKEEPER -> deleteFromZooKeeper(config, job);
            case KUBERNETES -> deleteFromKubernetes(config, job);
            default -> throw new IllegalArgumentException("cannot drop the stored execution plan of job " + jobId
                    + " from the custom HA services '" + config.get(HighAvailabilityOptions.HA_MODE)
                    + "': use high-availability.type zookeeper or kubernetes");
        };
        store.write(LifecycleStore.DEFINITION, definition.get());
        return deleted.map(plan -> "new job definition " + definition.get() + ": deleted the stored execution plan of the "
                + "old one (" + plan + "); the new definition resumes from the job's latest checkpoint");
    }

    /** Deletes the plan's node; its path, or empty when there was none. */
    private static Optional<String> deleteFromZooKeeper(Configuration config, JobID job) {
        String path = config.get(HighAvailabilityOptions.HA_ZOOKEEPER_EXECUTION_PLANS_PATH)
                + ZooKeeperExecutionPlanStoreUtil.INSTANCE.jobIDToName(job);
        try (CuratorFrameworkWithUnhandledErrorListener zooKeeper = ZooKeeperUtils.startCuratorFramework(config, error -> {})) {
            CuratorFramework client = zooKeeper.asCuratorFramework();
            if (client.checkExists().forPath(path) == null) {
                return Optional.empty();
            }
            ZooKeeperUtils.deleteZNode(client, path);
            return Optional.of("ZooKeeper node /" + client.getNamespace() + path);
        } catch (Exception e) {
            throw new IllegalStateException("cannot delete the stored execution plan " + path + " from ZooKeeper ("
                    + config.get(HighAvailabilityOptions.HA_ZOOKEEPER_QUORUM) + "): " + e.getMessage(), e);
        }
    }

    /** Deletes the plan's key from the HA ConfigMap; the key, or empty when there was none. */
    private static Optional<String> deleteFromKubernetes(Configuration config, JobID job) {
        // The ConfigMap and key Flink's KubernetesLeaderElectionHaServices keep execution plans in.
        String name = config.get(KubernetesConfigOptions.CLUSTER_ID) + "-cluster-config-map";
        String key = KubernetesExecutionPlanStoreUtil.INSTANCE.jobIDToName(job);
        try (KubernetesClient client = FlinkKubeClientFactory.getInstance().createFabric8ioKubernetesClient(config)) {
            // The running JobManagers renew their leadership in the same ConfigMap: retry on a conflict.
            for (int attempt = 1; ; attempt++) {
                ConfigMap configMap = client.configMaps().withName(name).get();
                if (configMap == null || configMap.getData() == null || !configMap.getData().containsKey(key)) {
                    return Optional.empty();
                }
                configMap.getData().remove(key);
                try {
                    client.configMaps().resource(configMap).update();
                    return Optional.of("key " + key + " of ConfigMap " + name);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt == 5) {
                        throw e;
                    }
                }
            }
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("cannot delete key " + key + " of ConfigMap " + name + ": " + e.getMessage(), e);
        }
    }
}
