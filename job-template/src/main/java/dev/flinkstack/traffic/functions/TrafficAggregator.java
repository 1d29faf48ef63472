package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.records.TrafficAggregate;

import org.apache.flink.api.common.functions.AggregateFunction;

import java.util.Arrays;

/**
 * Folds flows into a {@link TrafficAccumulator} as they arrive, so a window holds a small
 * accumulator rather than every flow. The result has no host or window yet: {@link
 * WindowResultFunction} adds them.
 */
public class TrafficAggregator
        implements AggregateFunction<FlowRecord, TrafficAccumulator, TrafficAggregate> {

    private static final long serialVersionUID = 1L;

    @Override
    public TrafficAccumulator createAccumulator() {
        return TrafficAccumulator.EMPTY;
    }

    @Override
    public TrafficAccumulator add(FlowRecord flow, TrafficAccumulator acc) {
        return new TrafficAccumulator(acc.bytes() + flow.bytes(), acc.packets() + flow.packets(), acc.flows() + 1,
                withPort(acc.dstPorts(), flow.dstPort()));
    }

    @Override
    public TrafficAggregate getResult(TrafficAccumulator acc) {
        return new TrafficAggregate(null, 0L, 0L, acc.bytes(), acc.packets(), acc.flows(), acc.dstPorts().length);
    }

    @Override
    public TrafficAccumulator merge(TrafficAccumulator a, TrafficAccumulator b) {
        return new TrafficAccumulator(
                a.bytes() + b.bytes(),
                a.packets() + b.packets(),
                a.flows() + b.flows(),
                union(a.dstPorts(), b.dstPorts()));
    }

    /** Returns {@code sorted} with {@code port} inserted, or {@code sorted} itself if already present. */
    static int[] withPort(int[] sorted, int port) {
        int pos = Arrays.binarySearch(sorted, port);
        if (pos >= 0) {
            return sorted;
        }
        int insertAt = -pos - 1;
        int[] result = new int[sorted.length + 1];
        System.arraycopy(sorted, 0, result, 0, insertAt);
        result[insertAt] = port;
        System.arraycopy(sorted, insertAt, result, insertAt + 1, sorted.length - insertAt);
        return result;
    }

    /** Returns the sorted union of two sorted, duplicate-free arrays. */
    static int[] union(int[] a, int[] b) {
        int[] result = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            if (j == b.length || (i < a.length && a[i] < b[j])) {
                result[n++] = a[i++];
            } else if (i == a.length || b[j] < a[i]) {
                result[n++] = b[j++];
            } else {
                result[n++] = a[i++];
                j++;
            }
        }
        return Arrays.copyOf(result, n);
    }
}
