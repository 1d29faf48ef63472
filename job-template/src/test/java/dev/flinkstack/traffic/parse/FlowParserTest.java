package dev.flinkstack.traffic.parse;

import dev.flinkstack.traffic.records.FlowRecord;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tests for {@link FlowParser}. */
class FlowParserTest {

    private static final FlowRecord EXPECTED =
            new FlowRecord(1767225600000L, "10.0.0.1", "172.16.0.5", 443, "TCP", 1200, 3);

    @Test
    void parsesJsonWithEpochMillis() throws Exception {
        assertThat(FlowParser.parse(
                        "{\"ts\":1767225600000,\"src\":\"10.0.0.1\",\"dst\":\"172.16.0.5\",\"dstPort\":443,"
                                + "\"proto\":\"TCP\",\"bytes\":1200,\"packets\":3}"))
                .isEqualTo(EXPECTED);
    }

    @Test
    void parsesJsonWithIsoTimestampAnyFieldOrderAndExtraFields() throws Exception {
        assertThat(FlowParser.parse(
                        "  {\"packets\":3,\"bytes\":1200,\"proto\":\"tcp\",\"dstPort\":443,\"dst\":\"172.16.0.5\","
                                + "\"src\":\"10.0.0.1\",\"ts\":\"2026-01-01T00:00:00Z\",\"vlan\":7}  "))
                .isEqualTo(EXPECTED);
    }

    @Test
    void parsesJsonWithIsoTimestampWithOffset() throws Exception {
        assertThat(FlowParser.parse(
                                "{\"ts\":\"2026-01-01T01:00:00+01:00\",\"src\":\"10.0.0.1\",\"dst\":\"172.16.0.5\","
                                        + "\"dstPort\":443,\"proto\":\"TCP\",\"bytes\":1200,\"packets\":3}")
                        .timestamp())
                .isEqualTo(EXPECTED.timestamp());
    }

    @Test
    void parsesCsvWithEpochMillis() throws Exception {
        assertThat(FlowParser.parse("1767225600000,10.0.0.1,172.16.0.5,443,TCP,1200,3")).isEqualTo(EXPECTED);
    }

    @Test
    void parsesCsvWithIsoTimestampAndSpaces() throws Exception {
        assertThat(FlowParser.parse(" 2026-01-01T00:00:00Z , 10.0.0.1 ,172.16.0.5, 443,tcp,1200,3 "))
                .isEqualTo(EXPECTED);
    }

    @Test
    void acceptsPortBoundsAndZeroCounters() throws Exception {
        assertThat(FlowParser.parse("0,a,b,0,ICMP,0,0").dstPort()).isZero();
        assertThat(FlowParser.parse("0,a,b,65535,UDP,0,0").dstPort()).isEqualTo(65535);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                // Syntax
                "`{\"ts\":1,\"src\":\"a\"`|invalid JSON: ",
                "`{\"ts\":1} trailing`|invalid JSON: ",
                "`1767225600000,10.0.0.1,172.16.0.5,443,TCP,1200`|expected 7 CSV fields (ts,src,dst,dstPort,proto,bytes,packets) but got 6",
                "`not a flow record`|expected 7 CSV fields (ts,src,dst,dstPort,proto,bytes,packets) but got 1",
                // Missing fields
                "`{\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|missing field: ts",
                "`{\"ts\":1,\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|missing field: src",
                "`{\"ts\":1,\"src\":\"a\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|missing field: dst",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|missing field: dstPort",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"bytes\":1,\"packets\":1}`|missing field: proto",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"packets\":1}`|missing field: bytes",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1}`|missing field: packets",
                "`{\"ts\":null,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|missing field: ts",
                "`1,,b,1,TCP,1,1`|missing field: src",
                "`1,a,b,1,,1,1`|missing field: proto",
                // Wrong types and values
                "`{\"ts\":true,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|invalid ts: true",
                "`{\"ts\":\"yesterday\",\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|invalid ts: yesterday",
                "`{\"ts\":1,\"src\":7,\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|invalid src: 7",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":\"443\",\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|invalid dstPort: \"443\"",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1.5,\"packets\":1}`|invalid bytes: 1.5",
                "`yesterday,a,b,1,TCP,1,1`|invalid ts: yesterday",
                "`1,a,b,https,TCP,1,1`|invalid dstPort: https",
                "`1,a,b,1,TCP,lots,1`|invalid bytes: lots",
                "`1,a,b,1,TCP,1,1.0`|invalid packets: 1.0",
                "`1,a,b,1,T C P,1,1`|invalid proto: T C P",
                // Range checks
                "`1,a,b,70000,TCP,1,1`|dstPort out of range 0..65535: 70000",
                "`1,a,b,-1,TCP,1,1`|dstPort out of range 0..65535: -1",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":65536,\"proto\":\"TCP\",\"bytes\":1,\"packets\":1}`|dstPort out of range 0..65535: 65536",
                "`1,a,b,1,TCP,-5,1`|negative bytes: -5",
                "`{\"ts\":1,\"src\":\"a\",\"dst\":\"b\",\"dstPort\":1,\"proto\":\"TCP\",\"bytes\":1,\"packets\":-2}`|negative packets: -2",
            })
    void rejectsInvalidLinesWithReason(String line, String reason) {
        assertThatThrownBy(() -> FlowParser.parse(line))
                .isInstanceOf(InvalidFlowException.class)
                .message()
                .startsWith(reason.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t"})
    void rejectsEmptyLines(String line) {
        assertThatThrownBy(() -> FlowParser.parse(line)).hasMessage("empty line");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> FlowParser.parse(null)).hasMessage("empty line");
    }

    @Test
    void shortensLongReasons() {
        String longValue = "x".repeat(500);
        assertThatThrownBy(() -> FlowParser.parse("1,a,b,1,TCP," + longValue + ",1"))
                .hasMessage("invalid bytes: " + "x".repeat(80) + "...");
    }
}
