package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.records.TrafficAggregate;

import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Stamps the pre-aggregated window result with its source host and window bounds. */
public class WindowResultFunction
        extends ProcessWindowFunction<TrafficAggregate, TrafficAggregate, String, TimeWindow> {

    private static final long serialVersionUID = 1L;

    @Override
    public void process(
            String src,
            Context context,
            Iterable<TrafficAggregate> results,
            Collector<TrafficAggregate> out) {
        // With an AggregateFunction in front there is exactly one element: the aggregate result.
        for (TrafficAggregate totals : results) {
            out.collect(new TrafficAggregate(src, context.window().getStart(), context.window().getEnd(),
                    totals.bytes(), totals.packets(), totals.flows(), totals.distinctDstPorts()));
        }
    }
}
