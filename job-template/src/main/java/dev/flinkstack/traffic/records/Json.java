package dev.flinkstack.traffic.records;

import java.time.Instant;

/** Tiny JSON writing helpers: hand-written so field order is fixed and no JSON library is bundled. */
public final class Json {

    private Json() {}

    /** Returns {@code value} as a JSON string literal, quotes included. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** Returns epoch milliseconds as a quoted ISO-8601 UTC instant, e.g. {@code "2026-01-01T00:00:10Z"}. */
    public static String instant(long epochMillis) {
        return quote(Instant.ofEpochMilli(epochMillis).toString());
    }
}
