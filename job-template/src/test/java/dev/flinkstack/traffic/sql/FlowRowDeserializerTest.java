package dev.flinkstack.traffic.sql;

import dev.flinkstack.traffic.functions.ParseFlowRecords;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlowRowDeserializerTest {

    private static final String GOOD = "{\"ts\":1767225600000,\"src\":\"10.0.0.1\",\"dst\":\"172.16.0.5\","
            + "\"dstPort\":443,\"proto\":\"tcp\",\"bytes\":1200,\"packets\":3}";

    private final Map<String, Counter> counters = new HashMap<>();

    private FlowRowDeserializer open(DataType row) {
        FlowRowDeserializer deserializer = new FlowRowDeserializer((RowType) row.getLogicalType(), null);
        MetricGroup metrics = new UnregisteredMetricsGroup() {
            @Override
            public Counter counter(String name) {
                return counters.computeIfAbsent(name, key -> new SimpleCounter());
            }
        };
        deserializer.open(TrafficGeneratorTableFactory.initializationContext(metrics, getClass().getClassLoader()));
        return deserializer;
    }

    private static RowData deserialize(FlowRowDeserializer deserializer, String line) {
        return deserializer.deserialize(line.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fillsTheDeclaredColumnsByNameInTheirOrder() {
        FlowRowDeserializer deserializer = open(DataTypes.ROW(
                DataTypes.FIELD("bytes", DataTypes.BIGINT()),
                DataTypes.FIELD("error", DataTypes.STRING()),
                DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(3)),
                DataTypes.FIELD("proto", DataTypes.STRING()),
                DataTypes.FIELD("dstPort", DataTypes.INT())));

        RowData row = deserialize(deserializer, GOOD);

        assertThat(row.getLong(0)).isEqualTo(1200);
        assertThat(row.isNullAt(1)).as("no error").isTrue();
        assertThat(row.getTimestamp(2, 3)).isEqualTo(TimestampData.fromEpochMillis(1767225600000L));
        assertThat(row.getString(3).toString()).as("upper-cased as the DataStream job does").isEqualTo("TCP");
        assertThat(row.getInt(4)).isEqualTo(443);
        assertThat(counters.get(ParseFlowRecords.PARSED_RECORDS_METRIC).getCount()).isEqualTo(1);
    }

    @Test
    void turnsABadLineIntoARowWithTheParsersReasonInsteadOfFailing() {
        FlowRowDeserializer deserializer = open(DataTypes.ROW(
                DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(3)),
                DataTypes.FIELD("src", DataTypes.STRING()),
                DataTypes.FIELD("error", DataTypes.STRING()),
                DataTypes.FIELD("line", DataTypes.STRING())));
        String bad = GOOD.replace("443", "70000");

        RowData row = deserialize(deserializer, bad);

        assertThat(row.isNullAt(0)).isTrue();
        assertThat(row.isNullAt(1)).isTrue();
        assertThat(row.getString(2).toString()).isEqualTo("dstPort out of range 0..65535: 70000");
        assertThat(row.getString(3).toString()).isEqualTo(bad);
        assertThat(counters.get(ParseFlowRecords.MALFORMED_RECORDS_METRIC).getCount()).isEqualTo(1);
        assertThat(counters.get(ParseFlowRecords.PARSED_RECORDS_METRIC).getCount()).isZero();
    }

    @Test
    void rejectsAColumnItCannotFillNamingItAndTheColumnsItHas() {
        assertThatThrownBy(() -> open(DataTypes.ROW(DataTypes.FIELD("port", DataTypes.INT()))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("format 'traffic-flow' has no column 'port'")
                .hasMessageContaining("dstPort");
    }

    @Test
    void rejectsAColumnOfTheWrongType() {
        assertThatThrownBy(() -> open(DataTypes.ROW(DataTypes.FIELD("bytes", DataTypes.INT()))))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("declare column 'bytes' as BIGINT, not INT");
    }
}
