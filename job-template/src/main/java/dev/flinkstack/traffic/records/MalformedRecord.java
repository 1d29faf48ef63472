package dev.flinkstack.traffic.records;

/** An input line that could not be parsed or failed validation, kept verbatim for the dead-letter output. */
public record MalformedRecord(String reason, String line) implements JsonLine {

    @Override
    public String toJson() {
        return "{\"reason\":" + Json.quote(reason) + ",\"line\":" + Json.quote(line) + '}';
    }
}
