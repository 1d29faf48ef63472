package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.records.Alert;
import dev.flinkstack.traffic.records.AlertType;
import dev.flinkstack.traffic.records.TrafficAggregate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link AlertDetector}. */
class AlertDetectorTest {

    private static final long BYTES_THRESHOLD = 1_000;
    private static final int PORT_SCAN_THRESHOLD = 10;

    private final AlertDetector detector = new AlertDetector(BYTES_THRESHOLD, PORT_SCAN_THRESHOLD);

    @Test
    void noAlertBelowThresholds() {
        assertThat(detector.detect(aggregate(999, 9))).isEmpty();
    }

    @Test
    void volumeNeedsStrictlyMoreBytesThanThreshold() {
        assertThat(detector.detect(aggregate(1_000, 0))).isEmpty();
        assertThat(detector.detect(aggregate(1_001, 0)))
                .containsExactly(new Alert(AlertType.VOLUME, "10.0.0.1", 10_000, 20_000, 1_001, BYTES_THRESHOLD));
    }

    @Test
    void portScanFiresAtThreshold() {
        assertThat(detector.detect(aggregate(0, 10)))
                .containsExactly(new Alert(AlertType.PORT_SCAN, "10.0.0.1", 10_000, 20_000, 10, PORT_SCAN_THRESHOLD));
        assertThat(detector.detect(aggregate(0, 11))).extracting(Alert::value).containsExactly(11L);
    }

    @Test
    void bothAlertsVolumeFirst() {
        assertThat(detector.detect(aggregate(5_000, 50)))
                .extracting(Alert::type)
                .containsExactly(AlertType.VOLUME, AlertType.PORT_SCAN);
    }

    private static TrafficAggregate aggregate(long bytes, int distinctPorts) {
        return new TrafficAggregate("10.0.0.1", 10_000, 20_000, bytes, 1, 1, distinctPorts);
    }
}
