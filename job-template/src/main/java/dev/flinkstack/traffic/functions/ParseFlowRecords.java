package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.parse.FlowParser;
import dev.flinkstack.traffic.parse.InvalidFlowException;
import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.records.MalformedRecord;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parses raw lines into {@link FlowRecord}s. Bad lines never fail the job: they go to the {@link
 * #MALFORMED} side output with their reason, and both outcomes are counted as operator metrics.
 */
public class ParseFlowRecords extends ProcessFunction<String, FlowRecord> {

    private static final long serialVersionUID = 1L;

    /** Side output of lines that could not be parsed or failed validation. */
    public static final OutputTag<MalformedRecord> MALFORMED =
            new OutputTag<>("malformed", TypeInformation.of(MalformedRecord.class));

    /** Metric name; Prometheus shows it as {@code flink_taskmanager_job_task_operator_malformedRecords}. */
    public static final String MALFORMED_RECORDS_METRIC = "malformedRecords";

    /** Metric name of the valid-record counter. */
    public static final String PARSED_RECORDS_METRIC = "parsedRecords";

    private transient Counter malformedRecords;
    private transient Counter parsedRecords;

    @Override
    public void open(OpenContext openContext) {
        malformedRecords = getRuntimeContext().getMetricGroup().counter(MALFORMED_RECORDS_METRIC);
        parsedRecords = getRuntimeContext().getMetricGroup().counter(PARSED_RECORDS_METRIC);
    }

    @Override
    public void processElement(String line, Context ctx, Collector<FlowRecord> out) {
        FlowRecord record;
        try {
            record = FlowParser.parse(line);
        } catch (InvalidFlowException e) {
            reject(line, e.getMessage(), ctx);
            return;
        } catch (RuntimeException e) {
            // A parser bug must not take the job down in a restart loop on the same line.
            reject(line, "unexpected parser error: " + e, ctx);
            return;
        }
        parsedRecords.inc();
        out.collect(record);
    }

    private void reject(String line, String reason, Context ctx) {
        malformedRecords.inc();
        ctx.output(MALFORMED, new MalformedRecord(reason, line == null ? "" : line));
    }
}
