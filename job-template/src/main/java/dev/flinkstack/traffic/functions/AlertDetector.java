package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.records.Alert;
import dev.flinkstack.traffic.records.AlertType;
import dev.flinkstack.traffic.records.TrafficAggregate;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns window aggregates into alerts: {@link AlertType#VOLUME} when bytes exceed the byte
 * threshold, {@link AlertType#PORT_SCAN} when distinct destination ports reach the port-scan
 * threshold. Stateless: everything it needs is in the aggregate.
 */
public class AlertDetector extends RichFlatMapFunction<TrafficAggregate, Alert> {

    private static final long serialVersionUID = 1L;

    /** Metric name of the counter of alerts emitted. */
    public static final String ALERTS_RAISED_METRIC = "alertsRaised";

    private final long bytesThreshold;
    private final int portScanThreshold;

    private transient Counter alertsRaised;

    /**
     * @param bytesThreshold a window with strictly more bytes raises VOLUME
     * @param portScanThreshold a window with at least this many distinct ports raises PORT_SCAN
     */
    public AlertDetector(long bytesThreshold, int portScanThreshold) {
        this.bytesThreshold = bytesThreshold;
        this.portScanThreshold = portScanThreshold;
    }

    @Override
    public void open(OpenContext openContext) {
        alertsRaised = getRuntimeContext().getMetricGroup().counter(ALERTS_RAISED_METRIC);
    }

    @Override
    public void flatMap(TrafficAggregate aggregate, Collector<Alert> out) {
        for (Alert alert : detect(aggregate)) {
            alertsRaised.inc();
            out.collect(alert);
        }
    }

    /** Returns the alerts for one aggregate, VOLUME before PORT_SCAN; empty if none. */
    public List<Alert> detect(TrafficAggregate aggregate) {
        List<Alert> alerts = new ArrayList<>(2);
        if (aggregate.bytes() > bytesThreshold) {
            alerts.add(alert(AlertType.VOLUME, aggregate, aggregate.bytes(), bytesThreshold));
        }
        if (aggregate.distinctDstPorts() >= portScanThreshold) {
            alerts.add(
                    alert(AlertType.PORT_SCAN, aggregate, aggregate.distinctDstPorts(), portScanThreshold));
        }
        return alerts;
    }

    private static Alert alert(AlertType type, TrafficAggregate aggregate, long value, long threshold) {
        return new Alert(
                type, aggregate.src(), aggregate.windowStart(), aggregate.windowEnd(), value, threshold);
    }
}
