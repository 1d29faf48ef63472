-- The job that fills the topic 'flows' for `make run SOURCE=kafka`: the example job's generator
-- ('now' onwards, 1000 records/s, every 1000th malformed), one Kafka message per line.
SET 'pipeline.name' = 'kafka-feeder';

CREATE TEMPORARY TABLE generated (line STRING) WITH (
  'connector' = 'traffic-generator',
  'format' = 'raw'
);

CREATE TEMPORARY TABLE flows (line STRING) WITH (
  'connector' = 'kafka',
  'topic' = 'flows',
  'properties.bootstrap.servers' = 'kafka:9092',
  'format' = 'raw'
);

INSERT INTO flows SELECT line FROM generated;
