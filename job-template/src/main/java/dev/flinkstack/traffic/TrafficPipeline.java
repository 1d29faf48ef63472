package dev.flinkstack.traffic;

import dev.flinkstack.traffic.functions.AlertDetector;
import dev.flinkstack.traffic.functions.ParseFlowRecords;
import dev.flinkstack.traffic.functions.TrafficAggregator;
import dev.flinkstack.traffic.functions.WindowResultFunction;
import dev.flinkstack.traffic.records.Alert;
import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.records.MalformedRecord;
import dev.flinkstack.traffic.records.TrafficAggregate;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;

/**
 * The analytics itself, independent of sources and sinks so tests can feed it a finite list of
 * lines and collect its outputs: parse, assign event time, window per source host, detect alerts.
 *
 * <p>Every operator has a fixed uid: savepoints map state by uid, so renaming or reordering
 * operators keeps state only as long as these stay.
 */
public final class TrafficPipeline {

    /** The pipeline's three result streams. */
    public record Outputs(
            DataStream<TrafficAggregate> aggregates,
            DataStream<Alert> alerts,
            DataStream<MalformedRecord> malformed) {}

    private TrafficPipeline() {}

    /** Builds the pipeline on {@code lines} (JSON or CSV flow records, one per element). */
    public static Outputs build(DataStream<String> lines, JobOptions options) {
        SingleOutputStreamOperator<FlowRecord> flows = lines
                .process(new ParseFlowRecords())
                .name("parse-flow-records")
                .uid("parse-flow-records");

        DataStream<TrafficAggregate> aggregates = flows
                .assignTimestampsAndWatermarks(watermarks(options))
                .name("event-time")
                .uid("event-time")
                .keyBy(FlowRecord::src, Types.STRING)
                .window(TumblingEventTimeWindows.of(options.window()))
                .aggregate(new TrafficAggregator(), new WindowResultFunction())
                .name("window-aggregate")
                .uid("window-aggregate");

        DataStream<Alert> alerts = aggregates
                .flatMap(new AlertDetector(options.bytesThreshold(), options.portScanThreshold()))
                .name("detect-alerts")
                .uid("detect-alerts");

        return new Outputs(aggregates, alerts, flows.getSideOutput(ParseFlowRecords.MALFORMED));
    }

    /** Bounded out-of-orderness on the flow's own timestamp, plus idleness so quiet inputs don't stall windows. */
    static WatermarkStrategy<FlowRecord> watermarks(JobOptions options) {
        WatermarkStrategy<FlowRecord> strategy = WatermarkStrategy
                .<FlowRecord>forBoundedOutOfOrderness(options.outOfOrderness())
                .withTimestampAssigner((flow, previous) -> flow.timestamp());
        return options.idleTimeout().isZero() ? strategy : strategy.withIdleness(options.idleTimeout());
    }
}
