-- The traffic analytics job in SQL: the same parsing, windows, alerts and outputs as the DataStream
-- job (TrafficAnalyticsJob with its default options), line for line.
--
-- Run it as an application with the chart (`job.sql`) or `standalone-job --job-classname
-- org.apache.flink.table.runtime.application.SqlDriver --scriptUri file:///path/traffic-analytics.sql`,
-- or from the SQL client. It needs the job jar (the images' /opt/flink/usrlib/traffic-analytics.jar)
-- for the 'traffic-flow' format and the 'traffic-generator' connector.

SET 'pipeline.name' = 'traffic-analytics-sql';
-- Window bounds are written as UTC instants, as the DataStream job does.
SET 'table.local-time-zone' = 'UTC';
-- A silent input split is marked idle after this long, so windows still close (the job's --idle-timeout).
SET 'table.exec.source.idle-timeout' = '30s';

-- Flow records: generated here; for files or Kafka, swap the WITH clause, e.g.
--   'connector' = 'filesystem', 'path' = 'file:///flink-data/input', 'source.monitor-interval' = '10s'
-- and keep 'format' = 'traffic-flow': a bad line becomes a row with `error` set instead of failing.
CREATE TEMPORARY TABLE flows (
    ts TIMESTAMP_LTZ(3),
    src STRING,
    dst STRING,
    dstPort INT,
    proto STRING,
    `bytes` BIGINT,
    packets BIGINT,
    error STRING,
    line STRING,
    -- A bad line has no time of its own; the epoch keeps it from moving the watermark.
    event_time AS COALESCE(ts, TO_TIMESTAMP_LTZ(0, 3)),
    -- The job's --out-of-orderness.
    WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH (
    'connector' = 'traffic-generator',
    'format' = 'traffic-flow',
    'rate' = '1000'
);

-- Outputs: JSON lines under /flink-data/output (the job's --output), committed on checkpoints.
CREATE TEMPORARY TABLE aggregates (
    src STRING,
    windowStart TIMESTAMP_LTZ(3),
    windowEnd TIMESTAMP_LTZ(3),
    `bytes` BIGINT,
    packets BIGINT,
    flows BIGINT,
    distinctDstPorts INT
) WITH (
    'connector' = 'filesystem',
    'path' = 'file:///flink-data/output/aggregates',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY TABLE alerts (
    type STRING,
    src STRING,
    windowStart TIMESTAMP_LTZ(3),
    windowEnd TIMESTAMP_LTZ(3),
    `value` BIGINT,
    threshold BIGINT
) WITH (
    'connector' = 'filesystem',
    'path' = 'file:///flink-data/output/alerts',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

-- The dead-letter output: each bad line with the reason it was rejected.
CREATE TEMPORARY TABLE malformed (
    reason STRING,
    line STRING
) WITH (
    'connector' = 'filesystem',
    'path' = 'file:///flink-data/output/malformed',
    'format' = 'json'
);

-- Traffic per source host in tumbling event-time windows of 10 s (the job's --window), on RocksDB.
CREATE TEMPORARY VIEW windowed AS
SELECT
    src,
    CAST(window_start AS TIMESTAMP_LTZ(3)) AS windowStart,
    CAST(window_end AS TIMESTAMP_LTZ(3)) AS windowEnd,
    SUM(`bytes`) AS `bytes`,
    SUM(packets) AS packets,
    COUNT(*) AS flows,
    CAST(COUNT(DISTINCT dstPort) AS INT) AS distinctDstPorts
FROM TABLE(TUMBLE(TABLE flows, DESCRIPTOR(event_time), INTERVAL '10' SECOND))
WHERE error IS NULL
GROUP BY src, window_start, window_end;

-- One job for all three outputs.
EXECUTE STATEMENT SET
BEGIN
    INSERT INTO aggregates SELECT * FROM windowed;
    -- The job's --bytes-threshold (more bytes than this) and --port-scan-threshold (at least this many ports).
    INSERT INTO alerts
        SELECT 'VOLUME', src, windowStart, windowEnd, `bytes`, 10000000 FROM windowed WHERE `bytes` > 10000000
        UNION ALL
        SELECT 'PORT_SCAN', src, windowStart, windowEnd, distinctDstPorts, 20 FROM windowed WHERE distinctDstPorts >= 20;
    INSERT INTO malformed SELECT error, line FROM flows WHERE error IS NOT NULL;
END;
