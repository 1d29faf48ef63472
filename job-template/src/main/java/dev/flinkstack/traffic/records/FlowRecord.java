package dev.flinkstack.traffic.records;

import java.util.Objects;

/**
 * One network flow, parsed and validated.
 *
 * <p>A Flink POJO (public no-arg constructor, getters and setters for every field) so Flink
 * serializes it with its PojoSerializer instead of falling back to Kryo.
 */
public class FlowRecord {

    /** Event time in epoch milliseconds. */
    private long timestamp;

    private String src;
    private String dst;
    private int dstPort;

    /** Upper-case protocol name, e.g. TCP, UDP, ICMP. */
    private String protocol;

    private long bytes;
    private long packets;

    public FlowRecord() {}

    public FlowRecord(
            long timestamp,
            String src,
            String dst,
            int dstPort,
            String protocol,
            long bytes,
            long packets) {
        this.timestamp = timestamp;
        this.src = src;
        this.dst = dst;
        this.dstPort = dstPort;
        this.protocol = protocol;
        this.bytes = bytes;
        this.packets = packets;
    }

    public long getTimestamp() {
        return timestamp;
    }

    public void setTimestamp(long timestamp) {
        this.timestamp = timestamp;
    }

    public String getSrc() {
        return src;
    }

    public void setSrc(String src) {
        this.src = src;
    }

    public String getDst() {
        return dst;
    }

    public void setDst(String dst) {
        this.dst = dst;
    }

    public int getDstPort() {
        return dstPort;
    }

    public void setDstPort(int dstPort) {
        this.dstPort = dstPort;
    }

    public String getProtocol() {
        return protocol;
    }

    public void setProtocol(String protocol) {
        this.protocol = protocol;
    }

    public long getBytes() {
        return bytes;
    }

    public void setBytes(long bytes) {
        this.bytes = bytes;
    }

    public long getPackets() {
        return packets;
    }

    public void setPackets(long packets) {
        this.packets = packets;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FlowRecord)) {
            return false;
        }
        FlowRecord that = (FlowRecord) o;
        return timestamp == that.timestamp
                && dstPort == that.dstPort
                && bytes == that.bytes
                && packets == that.packets
                && Objects.equals(src, that.src)
                && Objects.equals(dst, that.dst)
                && Objects.equals(protocol, that.protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, src, dst, dstPort, protocol, bytes, packets);
    }

    @Override
    public String toString() {
        return "FlowRecord{timestamp=" + timestamp + ", src=" + src + ", dst=" + dst
                + ", dstPort=" + dstPort + ", protocol=" + protocol + ", bytes=" + bytes
                + ", packets=" + packets + '}';
    }
}
