package dev.flinkstack.traffic.functions;

import java.util.Arrays;

/**
 * Running totals of one host's window: the only per-window state the job keeps.
 *
 * <p>A Flink POJO. The distinct destination ports are a sorted {@code int[]} rather than a {@code
 * Set<Integer>}: primitive arrays have a built-in Flink serializer, collections fall back to Kryo
 * (which the tests forbid with {@code pipeline.generic-types: false}).
 */
public class TrafficAccumulator {

    private long bytes;
    private long packets;
    private long flows;
    private int[] dstPorts = new int[0];

    public TrafficAccumulator() {}

    public TrafficAccumulator(long bytes, long packets, long flows, int[] dstPorts) {
        this.bytes = bytes;
        this.packets = packets;
        this.flows = flows;
        this.dstPorts = dstPorts;
    }

    public long getBytes() {
        return bytes;
    }

    public void setBytes(long bytes) {
        this.bytes = bytes;
    }

    public long getPackets() {
        return packets;
    }

    public void setPackets(long packets) {
        this.packets = packets;
    }

    public long getFlows() {
        return flows;
    }

    public void setFlows(long flows) {
        this.flows = flows;
    }

    /** Distinct destination ports seen, sorted ascending. */
    public int[] getDstPorts() {
        return dstPorts;
    }

    public void setDstPorts(int[] dstPorts) {
        this.dstPorts = dstPorts;
    }

    @Override
    public String toString() {
        return "TrafficAccumulator{bytes=" + bytes + ", packets=" + packets + ", flows=" + flows
                + ", dstPorts=" + Arrays.toString(dstPorts) + '}';
    }
}
