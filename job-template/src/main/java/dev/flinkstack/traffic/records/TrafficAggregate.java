package dev.flinkstack.traffic.records;

/**
 * Traffic totals of one source host in one event-time window.
 *
 * @param windowStart window start, inclusive, epoch milliseconds
 * @param windowEnd window end, exclusive, epoch milliseconds
 */
public record TrafficAggregate(
        String src, long windowStart, long windowEnd, long bytes, long packets, long flows, int distinctDstPorts)
        implements JsonLine {

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
}
