package dev.flinkstack.traffic.records;

/** A record written as one JSON object per line, with a fixed field order so output diffs cleanly. */
public interface JsonLine {

    /** Returns this record as a single-line JSON object (no trailing newline). */
    String toJson();
}
