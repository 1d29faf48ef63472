package dev.flinkstack.traffic.functions;

/**
 * Running totals of one host's window: the only per-window state the job keeps.
 *
 * <p>The distinct destination ports are a sorted {@code int[]} rather than a {@code Set<Integer>}:
 * primitive arrays have a built-in Flink serializer, collections fall back to Kryo (which the tests
 * forbid with {@code pipeline.generic-types: false}).
 *
 * @param dstPorts distinct destination ports seen, sorted ascending
 */
public record TrafficAccumulator(long bytes, long packets, long flows, int[] dstPorts) {

    static final TrafficAccumulator EMPTY = new TrafficAccumulator(0, 0, 0, new int[0]);
}
