-- The derived image's connector at work: 10 rows written as Avro (flink-sql-avro, added to lib/),
-- read back and written as CSV.
SET 'execution.runtime-mode' = 'batch';
SET 'table.dml-sync' = 'true';
CREATE TABLE numbers (n BIGINT) WITH (
  'connector' = 'datagen', 'number-of-rows' = '10',
  'fields.n.kind' = 'sequence', 'fields.n.start' = '1', 'fields.n.end' = '10'
);
CREATE TABLE avro_files (n BIGINT, square BIGINT) WITH (
  'connector' = 'filesystem', 'path' = 'file:///flink-data/output/avro', 'format' = 'avro'
);
CREATE TABLE csv_files (n BIGINT, square BIGINT) WITH (
  'connector' = 'filesystem', 'path' = 'file:///flink-data/output/csv', 'format' = 'csv'
);
INSERT INTO avro_files SELECT n, n * n FROM numbers;
INSERT INTO csv_files SELECT n, square FROM avro_files;
