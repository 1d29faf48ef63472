package dev.flinkstack.traffic.records;

/**
 * An alert about one source host in one window.
 *
 * @param value the observed value: bytes for VOLUME, distinct destination ports for PORT_SCAN
 * @param threshold the configured threshold that {@code value} crossed
 */
public record Alert(AlertType type, String src, long windowStart, long windowEnd, long value, long threshold)
        implements JsonLine {

    @Override
    public String toJson() {
        return "{\"type\":" + Json.quote(type.name())
                + ",\"src\":" + Json.quote(src)
                + ",\"windowStart\":" + Json.instant(windowStart)
                + ",\"windowEnd\":" + Json.instant(windowEnd)
                + ",\"value\":" + value
                + ",\"threshold\":" + threshold
                + '}';
    }
}
