package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.records.TrafficAggregate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link TrafficAggregator}. */
class TrafficAggregatorTest {

    private final TrafficAggregator aggregator = new TrafficAggregator();

    @Test
    void emptyAccumulatorGivesZeroes() {
        assertThat(aggregator.getResult(aggregator.createAccumulator()))
                .isEqualTo(new TrafficAggregate(null, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void addSumsCountersAndCountsDistinctPorts() {
        TrafficAccumulator acc = aggregator.createAccumulator();
        acc = aggregator.add(flow(443, 100, 1), acc);
        acc = aggregator.add(flow(80, 250, 2), acc);
        acc = aggregator.add(flow(443, 50, 1), acc);
        acc = aggregator.add(flow(22, 0, 0), acc);

        assertThat(acc.dstPorts()).containsExactly(22, 80, 443);
        assertThat(aggregator.getResult(acc)).isEqualTo(new TrafficAggregate(null, 0, 0, 400, 4, 4, 3));
    }

    @Test
    void mergeAddsCountersAndUnitesPorts() {
        TrafficAccumulator a = aggregator.add(flow(80, 10, 1), aggregator.add(flow(443, 20, 2), aggregator.createAccumulator()));
        TrafficAccumulator b = aggregator.add(flow(443, 5, 1), aggregator.add(flow(8080, 7, 1), aggregator.createAccumulator()));

        TrafficAccumulator merged = aggregator.merge(a, b);

        assertThat(merged.dstPorts()).containsExactly(80, 443, 8080);
        assertThat(aggregator.getResult(merged)).isEqualTo(new TrafficAggregate(null, 0, 0, 42, 5, 4, 3));
    }

    @Test
    void mergeWithEmptyIsIdentity() {
        TrafficAccumulator a = aggregator.add(flow(53, 99, 3), aggregator.createAccumulator());

        assertThat(aggregator.getResult(aggregator.merge(a, aggregator.createAccumulator())))
                .isEqualTo(aggregator.getResult(a));
        assertThat(aggregator.getResult(aggregator.merge(aggregator.createAccumulator(), a)))
                .isEqualTo(aggregator.getResult(a));
    }

    @Test
    void withPortKeepsArraySortedAndDistinct() {
        int[] ports = new int[0];
        for (int port : new int[] {5, 1, 9, 5, 0, 65535, 1}) {
            ports = TrafficAggregator.withPort(ports, port);
        }
        assertThat(ports).containsExactly(0, 1, 5, 9, 65535);
    }

    @Test
    void unionOfSortedArrays() {
        assertThat(TrafficAggregator.union(new int[] {1, 3, 5}, new int[] {2, 3, 6, 7}))
                .containsExactly(1, 2, 3, 5, 6, 7);
        assertThat(TrafficAggregator.union(new int[0], new int[] {4})).containsExactly(4);
    }

    private static FlowRecord flow(int dstPort, long bytes, long packets) {
        return new FlowRecord(0L, "10.0.0.1", "172.16.0.1", dstPort, "TCP", bytes, packets);
    }
}
