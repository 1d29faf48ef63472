-- A bounded query for the SQL client: totals of 1..100 by remainder of 3.
SET 'execution.runtime-mode' = 'batch';
SET 'sql-client.execution.result-mode' = 'tableau';
CREATE TEMPORARY VIEW numbers AS SELECT * FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)) AS t(n);
SELECT n % 3 AS bucket, COUNT(*) AS numbers, SUM(n) AS total FROM numbers GROUP BY n % 3;
