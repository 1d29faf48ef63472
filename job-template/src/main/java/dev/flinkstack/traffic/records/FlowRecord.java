package dev.flinkstack.traffic.records;

/**
 * One network flow, parsed and validated. Flink 2.x serializes Java records with its POJO
 * serializer, field by field (no Kryo).
 *
 * @param timestamp event time in epoch milliseconds
 * @param protocol upper-case protocol name, e.g. TCP, UDP, ICMP
 */
public record FlowRecord(
        long timestamp, String src, String dst, int dstPort, String protocol, long bytes, long packets) {}
