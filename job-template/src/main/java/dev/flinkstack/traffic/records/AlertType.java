package dev.flinkstack.traffic.records;

/** Why an alert was raised. */
public enum AlertType {
    /** A host sent more bytes in one window than {@code --bytes-threshold}. */
    VOLUME,
    /** A host contacted at least {@code --port-scan-threshold} distinct destination ports in one window. */
    PORT_SCAN
}
