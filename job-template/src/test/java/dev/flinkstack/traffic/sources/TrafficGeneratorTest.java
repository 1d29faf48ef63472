package dev.flinkstack.traffic.sources;

import dev.flinkstack.traffic.parse.FlowParser;
import dev.flinkstack.traffic.parse.InvalidFlowException;
import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.sources.TrafficGenerator.Behaviour;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tests for {@link TrafficGenerator}. */
class TrafficGeneratorTest {

    private static final long START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final int RECORDS = 20_000;

    @Test
    void sameIndexGivesSameLineAcrossInstances() {
        TrafficGenerator first = new TrafficGenerator(7, 50, START, 1000, 500, 100);
        TrafficGenerator second = new TrafficGenerator(7, 50, START, 1000, 500, 100);
        for (long i : new long[] {0, 1, 99, 12_345, 1_000_000_000L}) {
            assertThat(second.map(i)).isEqualTo(first.map(i)).isEqualTo(first.line(i));
        }
        // Out of order and repeated calls do not matter: no hidden state.
        assertThat(first.line(5)).isEqualTo(second.line(5));
    }

    @Test
    void seedAndStartTimeChangeTheLines() {
        TrafficGenerator base = new TrafficGenerator(7, 50, START, 1000, 500, 0);
        assertThat(new TrafficGenerator(8, 50, START, 1000, 500, 0).line(3)).isNotEqualTo(base.line(3));
        assertThat(new TrafficGenerator(7, 50, START + 1, 1000, 500, 0).line(3)).isNotEqualTo(base.line(3));
    }

    @Test
    void everyNthLineIsMalformedAndTheRestParse() throws InvalidFlowException {
        TrafficGenerator generator = new TrafficGenerator(42, 100, START, 1000, 5000, 100);
        Set<String> reasons = new HashSet<>();
        int malformed = 0;
        for (long i = 0; i < RECORDS; i++) {
            String line = generator.line(i);
            if ((i + 1) % 100 == 0) {
                assertThat(generator.isMalformed(i)).isTrue();
                assertThatThrownBy(() -> FlowParser.parse(line)).isInstanceOf(InvalidFlowException.class);
                try {
                    FlowParser.parse(line);
                } catch (InvalidFlowException e) {
                    reasons.add(e.getMessage().replaceAll(":.*", ""));
                }
                malformed++;
            } else {
                assertThat(generator.isMalformed(i)).isFalse();
                FlowParser.parse(line);
            }
        }
        assertThat(malformed).isEqualTo(RECORDS / 100);
        assertThat(reasons).hasSize(5);
    }

    @Test
    void zeroDisablesMalformedLines() {
        TrafficGenerator generator = new TrafficGenerator(42, 10, START, 1000, 0, 0);
        assertThat(LongStream.range(0, 5_000).filter(generator::isMalformed)).isEmpty();
    }

    @Test
    void outOfOrdernessStaysWithinTheJitterBound() throws InvalidFlowException {
        long maxJitter = 250;
        TrafficGenerator generator = new TrafficGenerator(3, 20, START, 2000, maxJitter, 0);
        long maxSeen = Long.MIN_VALUE;
        long largestLag = 0;
        for (long i = 0; i < RECORDS; i++) {
            long ts = FlowParser.parse(generator.line(i)).timestamp();
            long base = START + i * 1000 / 2000;
            assertThat(ts).isBetween(base - maxJitter, base);
            if (maxSeen != Long.MIN_VALUE) {
                largestLag = Math.max(largestLag, maxSeen - ts);
            }
            maxSeen = Math.max(maxSeen, ts);
        }
        assertThat(largestLag).isPositive().isLessThanOrEqualTo(maxJitter);
    }

    @Test
    void scannersAndHeavyHittersStandOut() throws InvalidFlowException {
        TrafficGenerator generator = new TrafficGenerator(42, 40, START, 1000, 0, 0);
        Map<String, Set<Integer>> ports = new HashMap<>();
        Map<String, Long> bytes = new HashMap<>();
        for (long i = 0; i < RECORDS; i++) {
            FlowRecord flow = FlowParser.parse(generator.line(i));
            ports.computeIfAbsent(flow.src(), k -> new HashSet<>()).add(flow.dstPort());
            bytes.merge(flow.src(), flow.bytes(), Long::sum);
        }
        assertThat(ports).hasSize(40);
        String scanner = TrafficGenerator.hostAddress(20);
        String heavy = TrafficGenerator.hostAddress(21);
        String normal = TrafficGenerator.hostAddress(22);
        assertThat(ports.get(scanner).size()).isGreaterThan(400);
        assertThat(ports.get(normal).size()).isLessThanOrEqualTo(9);
        assertThat(bytes.get(heavy)).isGreaterThan(100 * bytes.get(normal));
    }

    @Test
    void hostBehavioursAndAddresses() {
        assertThat(TrafficGenerator.behaviourOf(0)).isEqualTo(Behaviour.PORT_SCANNER);
        assertThat(TrafficGenerator.behaviourOf(1)).isEqualTo(Behaviour.HEAVY_HITTER);
        assertThat(TrafficGenerator.behaviourOf(2)).isEqualTo(Behaviour.NORMAL);
        assertThat(TrafficGenerator.behaviourOf(40)).isEqualTo(Behaviour.PORT_SCANNER);
        assertThat(TrafficGenerator.hostAddress(0)).isEqualTo("10.0.0.1");
        assertThat(TrafficGenerator.hostAddress(255)).isEqualTo("10.0.1.0");
        assertThat(TrafficGenerator.hostAddress(70_000)).isEqualTo("10.1.17.113");
    }

    @Test
    void unlimitedRateSpacesEventsOneMillisecondApart() {
        TrafficGenerator generator = new TrafficGenerator(1, 1, START, 0, 0, 0);
        assertThat(generator.baseTimestamp(1234)).isEqualTo(START + 1234);
    }
}
