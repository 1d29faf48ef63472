package dev.flinkstack.traffic.records;

import java.util.Objects;

/** An alert about one source host in one window. A Flink POJO. */
public class Alert implements JsonLine {

    private AlertType type;
    private String src;
    private long windowStart;
    private long windowEnd;

    /** The observed value: bytes for VOLUME, distinct destination ports for PORT_SCAN. */
    private long value;

    /** The configured threshold that {@link #value} crossed. */
    private long threshold;

    public Alert() {}

    public Alert(AlertType type, String src, long windowStart, long windowEnd, long value, long threshold) {
        this.type = type;
        this.src = src;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.value = value;
        this.threshold = threshold;
    }

    public AlertType getType() {
        return type;
    }

    public void setType(AlertType type) {
        this.type = type;
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

    public long getValue() {
        return value;
    }

    public void setValue(long value) {
        this.value = value;
    }

    public long getThreshold() {
        return threshold;
    }

    public void setThreshold(long threshold) {
        this.threshold = threshold;
    }

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

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Alert)) {
            return false;
        }
        Alert that = (Alert) o;
        return windowStart == that.windowStart
                && windowEnd == that.windowEnd
                && value == that.value
                && threshold == that.threshold
                && type == that.type
                && Objects.equals(src, that.src);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, src, windowStart, windowEnd, value, threshold);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
