package dev.flinkstack.traffic.records;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for the JSON-lines output formats of the records. */
class JsonLineTest {

    private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z

    @Test
    void aggregateFormat() {
        assertThat(new TrafficAggregate("10.0.0.1", START, START + 10_000, 1234, 5, 3, 2).toJson())
                .isEqualTo("{\"src\":\"10.0.0.1\",\"windowStart\":\"2026-01-01T00:00:00Z\","
                        + "\"windowEnd\":\"2026-01-01T00:00:10Z\",\"bytes\":1234,\"packets\":5,\"flows\":3,"
                        + "\"distinctDstPorts\":2}");
    }

    @Test
    void alertFormat() {
        assertThat(new Alert(AlertType.PORT_SCAN, "10.0.0.1", START, START + 500, 25, 20).toJson())
                .isEqualTo("{\"type\":\"PORT_SCAN\",\"src\":\"10.0.0.1\",\"windowStart\":\"2026-01-01T00:00:00Z\","
                        + "\"windowEnd\":\"2026-01-01T00:00:00.500Z\",\"value\":25,\"threshold\":20}");
    }

    @Test
    void malformedFormatEscapesTheRawLine() {
        assertThat(new MalformedRecord("invalid JSON: x", "{\"a\":\"b\\c\"\t\u0001").toJson())
                .isEqualTo("{\"reason\":\"invalid JSON: x\",\"line\":\"{\\\"a\\\":\\\"b\\\\c\\\"\\t\\u0001\"}");
    }
}
