package dev.flinkstack.traffic.sources;

import dev.flinkstack.traffic.JobOptions;

import org.apache.flink.connector.datagen.source.GeneratorFunction;

import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Generates flow-record lines for the demo: line {@code i} is a pure function of (seed, i, start
 * time), so a source replaying indices after a restore produces identical lines, and a test can
 * recompute the exact expected output.
 *
 * <ul>
 *   <li>Event time: {@code start + i * 1000 / rate} ms minus a jitter in {@code [0, maxJitter]},
 *       so records are out of order by at most {@code maxJitter}.
 *   <li>Hosts: {@code keys} source hosts {@code 10.x.y.z}. Host {@code h} with {@code h % 20 == 0}
 *       is a port scanner (random ports, tiny flows), {@code h % 20 == 1} a heavy hitter (MB-sized
 *       flows to port 443); the rest use a handful of common ports with KB-sized flows.
 *   <li>Format: about a quarter CSV, the rest JSON (half of those with an ISO-8601 {@code ts}).
 *   <li>Every {@code malformedEvery}-th line (0 = never) is one of a few kinds of broken line.
 * </ul>
 */
public class TrafficGenerator implements GeneratorFunction<Long, String> {

    private static final long serialVersionUID = 1L;

    /** Every 20th host from host 0 on scans ports. */
    public static final int SCANNER_MODULUS = 20;

    private static final int[] COMMON_PORTS = {80, 443, 53, 22, 123, 8080, 25, 3306};
    private static final int SERVERS = 32;
    private static final int MALFORMED_KINDS = 5;

    private final long seed;
    private final int keys;
    private final long startMillis;
    private final long nominalRate;
    private final long maxJitterMillis;
    private final long malformedEvery;

    /**
     * @param seed random seed
     * @param keys number of source hosts, at least 1
     * @param startMillis event time of record 0, epoch millis
     * @param rate records per second that event time advances by; 0 means 1000
     * @param maxJitterMillis largest amount a record's event time is moved back, at least 0
     * @param malformedEvery every N-th record is malformed; 0 = never
     */
    public TrafficGenerator(
            long seed, int keys, long startMillis, long rate, long maxJitterMillis, long malformedEvery) {
        if (keys < 1 || rate < 0 || maxJitterMillis < 0 || malformedEvery < 0) {
            throw new IllegalArgumentException("keys must be >= 1 and rate, jitter, malformedEvery >= 0");
        }
        this.seed = seed;
        this.keys = keys;
        this.startMillis = startMillis;
        this.nominalRate = rate == 0 ? 1000 : rate;
        this.maxJitterMillis = maxJitterMillis;
        this.malformedEvery = malformedEvery;
    }

    /** The kind of traffic a source host produces. */
    /**
     * The generator of the job's {@code --seed}, {@code --keys}, {@code --start-time}, {@code --rate},
     * {@code --out-of-orderness} (its jitter) and {@code --malformed-every}.
     */
    public static TrafficGenerator of(JobOptions options) {
        return new TrafficGenerator(
                options.seed(),
                options.keys(),
                options.startTime().toEpochMilli(),
                options.rate(),
                options.outOfOrderness().toMillis(),
                options.malformedEvery());
    }

    public enum Behaviour {
        NORMAL,
        PORT_SCANNER,
        HEAVY_HITTER
    }

    /** Returns how host number {@code host} behaves. */
    public static Behaviour behaviourOf(int host) {
        return switch (host % SCANNER_MODULUS) {
            case 0 -> Behaviour.PORT_SCANNER;
            case 1 -> Behaviour.HEAVY_HITTER;
            default -> Behaviour.NORMAL;
        };
    }

    /** Returns the address of host number {@code host}: 10.0.0.1 for host 0, counting up. */
    public static String hostAddress(int host) {
        int n = host + 1;
        return "10." + ((n >>> 16) & 0xff) + "." + ((n >>> 8) & 0xff) + "." + (n & 0xff);
    }

    /** True if line {@code index} is deliberately malformed. */
    public boolean isMalformed(long index) {
        return malformedEvery > 0 && (index + 1) % malformedEvery == 0;
    }

    /** The un-jittered event time of line {@code index}: time advances at the nominal rate. */
    public long baseTimestamp(long index) {
        return startMillis + index * 1000 / nominalRate;
    }

    @Override
    public String map(Long index) {
        return line(index);
    }

    /** Returns line {@code index}. */
    public String line(long index) {
        SplittableRandom random = new SplittableRandom(mix(seed, index));
        long ts = baseTimestamp(index) - (maxJitterMillis == 0 ? 0 : random.nextLong(maxJitterMillis + 1));
        int host = random.nextInt(keys);
        if (isMalformed(index)) {
            return malformed(random, ts, hostAddress(host));
        }
        String src = hostAddress(host);
        String dst;
        int dstPort;
        String proto;
        long bytes;
        switch (behaviourOf(host)) {
            case PORT_SCANNER -> {
                dst = "172.16.0." + (1 + host % SERVERS);
                dstPort = 1 + random.nextInt(65535);
                proto = "TCP";
                bytes = 40 + random.nextInt(40);
            }
            case HEAVY_HITTER -> {
                dst = "172.16.0." + (1 + random.nextInt(SERVERS));
                dstPort = 443;
                proto = "TCP";
                bytes = 1_000_000 + random.nextInt(4_000_000);
            }
            default -> {
                dst = "172.16.0." + (1 + random.nextInt(SERVERS));
                if (random.nextInt(20) == 0) {
                    dstPort = 0;
                    proto = "ICMP";
                } else {
                    dstPort = COMMON_PORTS[random.nextInt(COMMON_PORTS.length)];
                    proto = dstPort == 53 || dstPort == 123 ? "UDP" : "TCP";
                }
                bytes = 64 + random.nextInt(20_000);
            }
        }
        long packets = 1 + bytes / 1400;
        return switch (random.nextInt(4)) {
            case 0 -> csv(Long.toString(ts), src, dst, dstPort, proto, bytes, packets);
            case 1 -> json("\"" + Instant.ofEpochMilli(ts) + "\"", src, dst, dstPort, proto, bytes, packets);
            default -> json(Long.toString(ts), src, dst, dstPort, proto, bytes, packets);
        };
    }

    private static String malformed(SplittableRandom random, long ts, String src) {
        return switch (random.nextInt(MALFORMED_KINDS)) {
            case 0 -> "{\"ts\":" + ts + ",\"src\":\"" + src + "\",\"dst\":\"172.16.0.1\",\"dstPo";
            case 1 -> csv(Long.toString(ts), src, "172.16.0.1", 70000, "TCP", 100, 1);
            case 2 -> json(Long.toString(ts), src, "172.16.0.1", 443, "TCP", -1200, 3);
            case 3 -> ts + "," + src + ",172.16.0.1,443,TCP,1200";
            default -> "<garbage line " + ts + ">";
        };
    }

    private static String csv(String ts, String src, String dst, int dstPort, String proto, long bytes, long packets) {
        return ts + "," + src + "," + dst + "," + dstPort + "," + proto + "," + bytes + "," + packets;
    }

    private static String json(String ts, String src, String dst, int dstPort, String proto, long bytes, long packets) {
        return "{\"ts\":" + ts + ",\"src\":\"" + src + "\",\"dst\":\"" + dst + "\",\"dstPort\":" + dstPort
                + ",\"proto\":\"" + proto + "\",\"bytes\":" + bytes + ",\"packets\":" + packets + "}";
    }

    // SplitMix64 finalizer over (seed, index): neighbouring indices get unrelated random streams.
    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
