package dev.flinkstack.traffic.sql;

import dev.flinkstack.traffic.JobOptions;
import dev.flinkstack.traffic.sources.TrafficSources;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code 'connector' = 'traffic-generator'}: the DataStream job's deterministic generator as a SQL
 * table, its lines decoded by the table's {@code format} (normally {@code traffic-flow}). The options
 * are the job's generator options with the same names, defaults and checks ({@link JobOptions}):
 * {@code rate}, {@code records}, {@code keys}, {@code seed}, {@code malformed-every}, {@code
 * start-time}, {@code out-of-orderness}. Like the job's, it runs at parallelism 1.
 */
public class TrafficGeneratorTableFactory implements DynamicTableSourceFactory {

    public static final String IDENTIFIER = "traffic-generator";

    private static final List<ConfigOption<String>> GENERATOR_OPTIONS = List.of(
            "rate", "records", "keys", "seed", "malformed-every", "start-time", "out-of-orderness").stream()
            .map(name -> ConfigOptions.key(name).stringType().noDefaultValue()
                    .withDescription("The traffic job's --" + name + " (see its --help)."))
            .toList();

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        DecodingFormat<DeserializationSchema<RowData>> format =
                helper.discoverDecodingFormat(DeserializationFormatFactory.class, FactoryUtil.FORMAT);
        helper.validate();
        List<String> args = new ArrayList<>();
        for (ConfigOption<String> option : GENERATOR_OPTIONS) {
            helper.getOptions().getOptional(option).ifPresent(value -> args.addAll(List.of("--" + option.key(), value)));
        }
        // Parsed here, at planning: errors name the option, and start-time 'now' is fixed once.
        JobOptions options = JobOptions.parse(args.toArray(String[]::new));
        return new GeneratorTableSource(options, format, context.getPhysicalRowDataType());
    }

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(FactoryUtil.FORMAT);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.copyOf(GENERATOR_OPTIONS);
    }

    private record GeneratorTableSource(
            JobOptions options, DecodingFormat<DeserializationSchema<RowData>> format, DataType rowType)
            implements ScanTableSource {

        @Override
        public ChangelogMode getChangelogMode() {
            return ChangelogMode.insertOnly();
        }

        @Override
        public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
            DeserializationSchema<RowData> decoder = format.createRuntimeDecoder(context, rowType);
            return new DataStreamScanProvider() {
                @Override
                public DataStream<RowData> produceDataStream(
                        ProviderContext provider, StreamExecutionEnvironment env) {
                    String uid = provider.generateUid(IDENTIFIER).orElse(TrafficSources.GENERATOR_UID);
                    return env.fromSource(TrafficSources.generatorSource(options), WatermarkStrategy.noWatermarks(),
                                    IDENTIFIER)
                            .setParallelism(1)
                            .setMaxParallelism(1)
                            .uid(uid)
                            .map(new Decode(decoder))
                            .returns(decoder.getProducedType())
                            .setParallelism(1)
                            .setMaxParallelism(1)
                            .name("decode")
                            .uid(uid + "-decode");
                }

                @Override
                public boolean isBounded() {
                    return options.records() > 0;
                }
            };
        }

        @Override
        public DynamicTableSource copy() {
            return new GeneratorTableSource(options, format, rowType);
        }

        @Override
        public String asSummaryString() {
            return IDENTIFIER;
        }
    }

    /** Runs the table's format on each generated line, with the operator's metric group. */
    private static final class Decode extends RichMapFunction<String, RowData> {

        private static final long serialVersionUID = 1L;

        private final DeserializationSchema<RowData> decoder;

        Decode(DeserializationSchema<RowData> decoder) {
            this.decoder = decoder;
        }

        @Override
        public void open(OpenContext openContext) throws Exception {
            decoder.open(initializationContext(
                    getRuntimeContext().getMetricGroup(), getRuntimeContext().getUserCodeClassLoader()));
        }

        @Override
        public RowData map(String line) throws Exception {
            return decoder.deserialize(line.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** What a format's decoder opens with when it runs in an operator of its own, not in a source. */
    static DeserializationSchema.InitializationContext initializationContext(MetricGroup metrics, ClassLoader classLoader) {
        UserCodeClassLoader userCodeClassLoader = SimpleUserCodeClassLoader.create(classLoader);
        return new DeserializationSchema.InitializationContext() {
            @Override
            public MetricGroup getMetricGroup() {
                return metrics;
            }

            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                return userCodeClassLoader;
            }
        };
    }
}
