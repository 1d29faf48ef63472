package dev.flinkstack.traffic.parse;

import dev.flinkstack.traffic.records.FlowRecord;

import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.DeserializationFeature;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses one input line into a {@link FlowRecord}; the format is detected per line.
 *
 * <ul>
 *   <li>JSON (the line starts with <code>{</code>): {@code {"ts":1767225600000,"src":"10.0.0.1",
 *       "dst":"172.16.0.5","dstPort":443,"proto":"TCP","bytes":1200,"packets":3}}
 *   <li>CSV (anything else): {@code ts,src,dst,dstPort,proto,bytes,packets}
 * </ul>
 *
 * <p>{@code ts} is epoch milliseconds or an ISO-8601 instant ({@code 2026-01-01T00:00:00Z}, an
 * offset such as {@code +02:00} is allowed); in JSON it may be a number or a string. {@code
 * dstPort}, {@code bytes} and {@code packets} are integers (JSON numbers, not strings); {@code
 * dstPort} is 0..65535, {@code bytes} and {@code packets} are &gt;= 0. {@code proto} is letters and
 * digits and is upper-cased. Unknown JSON fields are ignored. Parsing is stateless and thread-safe.
 */
public final class FlowParser {

    /** Number of fields of a CSV line. */
    public static final int CSV_FIELDS = 7;

    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Pattern PROTOCOL = Pattern.compile("[A-Za-z0-9]+");
    private static final Pattern DIGITS = Pattern.compile("-?[0-9]+");
    private static final int MAX_REASON_DETAIL = 80;

    private FlowParser() {}

    /** Parses and validates {@code line}, throwing with a short human-readable reason if it is invalid. */
    public static FlowRecord parse(String line) throws InvalidFlowException {
        if (line == null || line.isBlank()) {
            throw new InvalidFlowException("empty line");
        }
        String trimmed = line.strip();
        return trimmed.charAt(0) == '{' ? parseJson(trimmed) : parseCsv(trimmed);
    }

    private static FlowRecord parseJson(String line) throws InvalidFlowException {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidFlowException("invalid JSON: " + shorten(e.getOriginalMessage()));
        }
        return new FlowRecord(
                jsonTimestamp(node),
                host("src", jsonText(node, "src")),
                host("dst", jsonText(node, "dst")),
                port(jsonLong(node, "dstPort")),
                protocol(jsonText(node, "proto")),
                nonNegative("bytes", jsonLong(node, "bytes")),
                nonNegative("packets", jsonLong(node, "packets")));
    }

    private static FlowRecord parseCsv(String line) throws InvalidFlowException {
        String[] fields = line.split(",", -1);
        if (fields.length != CSV_FIELDS) {
            throw new InvalidFlowException(
                    "expected " + CSV_FIELDS + " CSV fields (ts,src,dst,dstPort,proto,bytes,packets) but got "
                            + fields.length);
        }
        return new FlowRecord(
                timestamp(csvField(fields[0], "ts")),
                host("src", csvField(fields[1], "src")),
                host("dst", csvField(fields[2], "dst")),
                port(csvLong(fields[3], "dstPort")),
                protocol(csvField(fields[4], "proto")),
                nonNegative("bytes", csvLong(fields[5], "bytes")),
                nonNegative("packets", csvLong(fields[6], "packets")));
    }

    private static JsonNode jsonField(JsonNode node, String name) throws InvalidFlowException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            throw new InvalidFlowException("missing field: " + name);
        }
        return value;
    }

    private static long jsonTimestamp(JsonNode node) throws InvalidFlowException {
        JsonNode value = jsonField(node, "ts");
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            return timestamp(value.asText());
        }
        throw new InvalidFlowException("invalid ts: " + shorten(value.toString()));
    }

    private static String jsonText(JsonNode node, String name) throws InvalidFlowException {
        JsonNode value = jsonField(node, name);
        if (!value.isTextual()) {
            throw new InvalidFlowException("invalid " + name + ": " + shorten(value.toString()));
        }
        return value.asText();
    }

    private static long jsonLong(JsonNode node, String name) throws InvalidFlowException {
        JsonNode value = jsonField(node, name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidFlowException("invalid " + name + ": " + shorten(value.toString()));
        }
        return value.asLong();
    }

    private static String csvField(String raw, String name) throws InvalidFlowException {
        String value = raw.strip();
        if (value.isEmpty()) {
            throw new InvalidFlowException("missing field: " + name);
        }
        return value;
    }

    private static long csvLong(String raw, String name) throws InvalidFlowException {
        String value = csvField(raw, name);
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new InvalidFlowException("invalid " + name + ": " + shorten(value));
        }
    }

    private static long timestamp(String value) throws InvalidFlowException {
        String trimmed = value.strip();
        try {
            return DIGITS.matcher(trimmed).matches()
                    ? Long.parseLong(trimmed)
                    : Instant.parse(trimmed).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new InvalidFlowException("invalid ts: " + shorten(trimmed));
        }
    }

    private static String host(String name, String value) throws InvalidFlowException {
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidFlowException("missing field: " + name);
        }
        return trimmed;
    }

    private static int port(long value) throws InvalidFlowException {
        if (value < 0 || value > 65535) {
            throw new InvalidFlowException("dstPort out of range 0..65535: " + value);
        }
        return (int) value;
    }

    private static String protocol(String value) throws InvalidFlowException {
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw new InvalidFlowException("missing field: proto");
        }
        if (!PROTOCOL.matcher(trimmed).matches()) {
            throw new InvalidFlowException("invalid proto: " + shorten(trimmed));
        }
        return trimmed.toUpperCase(Locale.ROOT);
    }

    private static long nonNegative(String name, long value) throws InvalidFlowException {
        if (value < 0) {
            throw new InvalidFlowException("negative " + name + ": " + value);
        }
        return value;
    }

    // Keeps reasons short: the full line is stored next to the reason anyway.
    private static String shorten(String detail) {
        if (detail == null) {
            return "";
        }
        String oneLine = detail.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_REASON_DETAIL
                ? oneLine
                : oneLine.substring(0, MAX_REASON_DETAIL) + "...";
    }
}
