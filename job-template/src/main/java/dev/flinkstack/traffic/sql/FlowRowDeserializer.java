package dev.flinkstack.traffic.sql;

import dev.flinkstack.traffic.functions.ParseFlowRecords;
import dev.flinkstack.traffic.parse.FlowParser;
import dev.flinkstack.traffic.parse.InvalidFlowException;
import dev.flinkstack.traffic.records.FlowRecord;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.RowType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One line to one row of the table's columns, any subset in any order, by name: {@code ts
 * TIMESTAMP_LTZ(3)}, {@code src}, {@code dst}, {@code proto} (STRING), {@code dstPort} (INT), {@code
 * bytes}, {@code packets} (BIGINT), and for the dead-letter output {@code error} (the reason, NULL for a
 * good line) and {@code line} (the raw line). A bad line has only {@code error} and {@code line} set. The
 * counters are the DataStream job's, so dashboards and alerts work for both versions.
 */
public class FlowRowDeserializer implements DeserializationSchema<RowData> {

    private static final long serialVersionUID = 1L;

    /** Every column this format fills, with the type it must be declared with. */
    static final Map<String, LogicalTypeRoot> COLUMNS = Map.of(
            "ts", LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE,
            "src", LogicalTypeRoot.VARCHAR,
            "dst", LogicalTypeRoot.VARCHAR,
            "dstPort", LogicalTypeRoot.INTEGER,
            "proto", LogicalTypeRoot.VARCHAR,
            "bytes", LogicalTypeRoot.BIGINT,
            "packets", LogicalTypeRoot.BIGINT,
            "error", LogicalTypeRoot.VARCHAR,
            "line", LogicalTypeRoot.VARCHAR);

    private final List<String> fieldNames;
    private final TypeInformation<RowData> producedType;

    private transient Counter malformedRecords;
    private transient Counter parsedRecords;

    FlowRowDeserializer(RowType rowType, TypeInformation<RowData> producedType) {
        for (RowType.RowField field : rowType.getFields()) {
            LogicalTypeRoot expected = COLUMNS.get(field.getName());
            if (expected == null) {
                throw new ValidationException("format '" + FlowFormatFactory.IDENTIFIER + "' has no column '"
                        + field.getName() + "'; its columns are " + COLUMNS.keySet());
            }
            if (field.getType().getTypeRoot() != expected) {
                throw new ValidationException("format '" + FlowFormatFactory.IDENTIFIER + "': declare column '"
                        + field.getName() + "' as " + expected + ", not " + field.getType());
            }
        }
        this.fieldNames = rowType.getFieldNames();
        this.producedType = producedType;
    }

    @Override
    public void open(InitializationContext context) {
        malformedRecords = context.getMetricGroup().counter(ParseFlowRecords.MALFORMED_RECORDS_METRIC);
        parsedRecords = context.getMetricGroup().counter(ParseFlowRecords.PARSED_RECORDS_METRIC);
    }

    @Override
    public RowData deserialize(byte[] message) {
        String line = new String(message, StandardCharsets.UTF_8);
        FlowRecord flow = null;
        String error = null;
        try {
            flow = FlowParser.parse(line);
        } catch (InvalidFlowException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            // As in the DataStream job: a parser bug must not restart the job on the same line forever.
            error = "unexpected parser error: " + e;
        }
        if (error == null) {
            parsedRecords.inc();
        } else {
            malformedRecords.inc();
        }
        GenericRowData row = new GenericRowData(fieldNames.size());
        for (int i = 0; i < fieldNames.size(); i++) {
            row.setField(i, value(fieldNames.get(i), flow, error, line));
        }
        return row;
    }

    private static Object value(String column, FlowRecord flow, String error, String line) {
        return switch (column) {
            case "error" -> error == null ? null : StringData.fromString(error);
            case "line" -> StringData.fromString(line);
            default -> flow == null ? null : switch (column) {
                case "ts" -> TimestampData.fromEpochMillis(flow.timestamp());
                case "src" -> StringData.fromString(flow.src());
                case "dst" -> StringData.fromString(flow.dst());
                case "dstPort" -> flow.dstPort();
                case "proto" -> StringData.fromString(flow.protocol());
                case "bytes" -> flow.bytes();
                case "packets" -> flow.packets();
                default -> throw new IllegalStateException("unknown column " + column);
            };
        };
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
