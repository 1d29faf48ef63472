package dev.flinkstack.traffic.records;

import java.util.Objects;

/** An input line that could not be parsed or failed validation, kept verbatim for the dead-letter output. */
public class MalformedRecord implements JsonLine {

    private String reason;
    private String line;

    public MalformedRecord() {}

    public MalformedRecord(String reason, String line) {
        this.reason = reason;
        this.line = line;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getLine() {
        return line;
    }

    public void setLine(String line) {
        this.line = line;
    }

    @Override
    public String toJson() {
        return "{\"reason\":" + Json.quote(reason) + ",\"line\":" + Json.quote(line) + '}';
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MalformedRecord)) {
            return false;
        }
        MalformedRecord that = (MalformedRecord) o;
        return Objects.equals(reason, that.reason) && Objects.equals(line, that.line);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, line);
    }

    @Override
    public String toString() {
        return toJson();
    }
}
