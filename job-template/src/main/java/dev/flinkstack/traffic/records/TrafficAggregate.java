package dev.flinkstack.traffic.records;

import java.util.Objects;

/** Traffic totals of one source host in one event-time window. A Flink POJO. */
public class TrafficAggregate implements JsonLine {

    private String src;

    /** Window start, inclusive, epoch milliseconds. */
    private long windowStart;

    /** Window end, exclusive, epoch milliseconds. */
    private long windowEnd;

    private long bytes;
    private long packets;
    private long flows;
    private int distinctDstPorts;

    public TrafficAggregate() {}

    public TrafficAggregate(
            String src,
            long windowStart,
            long windowEnd,
            long bytes,
            long packets,
            long flows,
            int distinctDstPorts) {
        this.src = src;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.bytes = bytes;
        this.packets = packets;
        this.flows = flows;
        this.distinctDstPorts = distinctDstPorts;
    }

    public String getSrc() {
        return src;
    }

    public void setSrc(String src) {
        this.src = src;
    }

    public long getWindowStart() {
        return windowStart;
    }

    public void setWindowStart(long windowStart) {
        this.windowStart = windowStart;
    }

    public long getWindowEnd() {
        return windowEnd;
    }

    public void setWindowEnd(long windowEnd) {
        this.windowEnd = windowEnd;
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

    public int getDistinctDstPorts() {
        return distinctDstPorts;
    }

    public void setDistinctDstPorts(int distinctDstPorts) {
        this.distinctDstPorts = distinctDstPorts;
    }

    @Override
    public String toJson() {
        return "{\"src\":" + Json.quote(src)
                + ",\"windowStart\":" + Json.instant(windowStart)
                + ",\"windowEnd\":" + Json.instant(windowEnd)
                + ",\"bytes\":" + bytes
                + ",\"packets\":" + packets
                + ",\"flows\":" + flows
                + ",\"distinctDstPorts\":" + distinctDstPorts
                + '}';
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TrafficAggregate)) {
            return false;
        }
        TrafficAggregate that = (TrafficAggregate) o;
        return windowStart == that.windowStart
                && windowEnd == that.windowEnd
                && bytes == that.bytes
                && packets == that.packets
                && flows == that.flows
                && distinctDstPorts == that.distinctDstPorts
                && Objects.equals(src, that.src);
    }

    @Override
    public int hashCode() {
        return Objects.hash(src, windowStart, windowEnd, bytes, packets, flows, distinctDstPorts);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
