package dev.flinkstack.lifecycle;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The Helm chart's job lifecycle settings of an application cluster, as configuration keys. */
public final class LifecycleOptions {

    public static final ConfigOption<String> INITIAL_SAVEPOINT = ConfigOptions.key("flinkstack.initial-savepoint")
            .stringType().noDefaultValue()
            .withDescription("Savepoint of the job's first start (job.fromSavepoint); applied again only under a new nonce.");

    public static final ConfigOption<String> INITIAL_SAVEPOINT_NONCE =
            ConfigOptions.key("flinkstack.initial-savepoint-nonce").stringType().defaultValue("")
                    .withDescription("job.savepointRedeployNonce: a new value applies the initial savepoint again.");

    public static final ConfigOption<String> RESTART_NONCE = ConfigOptions.key("flinkstack.restart-nonce")
            .stringType().defaultValue("")
            .withDescription("job.restartNonce: a job that ended runs again under a new value.");

    public static final ConfigOption<String> DEFINITION = ConfigOptions.key("flinkstack.definition")
            .stringType().noDefaultValue()
            .withDescription("Hash of the application's definition (the chart's pod templates): a new value is a changed job.");

    private LifecycleOptions() {}
}
