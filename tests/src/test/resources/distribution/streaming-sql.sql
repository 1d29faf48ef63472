-- A streaming SQL application: 60 events one second apart (event time), 10-second tumbling windows
-- written as CSV, and every run 1, 2, 3 of the event's value (MATCH_RECOGNIZE, Flink's CEP) as JSON.
CREATE TABLE events (
  id BIGINT,
  v AS id % 5,
  ts AS TO_TIMESTAMP_LTZ(id * 1000, 3),
  WATERMARK FOR ts AS ts
) WITH (
  'connector' = 'datagen',
  'number-of-rows' = '60',
  'fields.id.kind' = 'sequence',
  'fields.id.start' = '1',
  'fields.id.end' = '60'
);

CREATE TABLE windows_csv (window_start TIMESTAMP(3), events BIGINT, id_sum BIGINT) WITH (
  'connector' = 'filesystem',
  'path' = 'file:///flink-data/output/windows',
  'format' = 'csv'
);

CREATE TABLE runs_json (first_id BIGINT, last_id BIGINT) WITH (
  'connector' = 'filesystem',
  'path' = 'file:///flink-data/output/runs',
  'format' = 'json'
);

SET 'table.local-time-zone' = 'UTC';

EXECUTE STATEMENT SET BEGIN
  INSERT INTO windows_csv
    SELECT window_start, COUNT(*), SUM(id)
    FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '10' SECOND))
    GROUP BY window_start, window_end;
  INSERT INTO runs_json
    SELECT first_id, last_id FROM events
    MATCH_RECOGNIZE (
      ORDER BY ts
      MEASURES A.id AS first_id, C.id AS last_id
      ONE ROW PER MATCH
      AFTER MATCH SKIP PAST LAST ROW
      PATTERN (A B C)
      DEFINE A AS A.v = 1, B AS B.v = 2, C AS C.v = 3
    );
END;
