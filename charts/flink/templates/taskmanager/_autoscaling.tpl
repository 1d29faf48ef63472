{{/*
The Flink signals of autoscaling.flinkMetrics that are set, as a JSON list of {name, record, type, target}:
the recording rule of rules/flink-autoscaling.yaml, and the HPA target on it (KEDA's trigger threshold).
An AverageValue target is per TaskManager: the autoscaler wants ceil(value / target) pods.
*/}}
{{- define "flink.autoscaling.flinkSignals" -}}
{{- $m := .Values.autoscaling.flinkMetrics -}}
{{- $signals := list -}}
{{- with $m.busyTimeMsPerSecond -}}
{{- /* Per TaskManager: each of its slots busy at the target. */ -}}
{{- $perTaskManager := mul (int .) (int $.Values.taskmanager.numberOfTaskSlots) -}}
{{- $signals = append $signals (dict "name" "busy-time" "record" "flink_cluster:busy_time_ms_per_second:bottleneck_sum" "type" "AverageValue" "target" $perTaskManager) -}}
{{- end -}}
{{- with $m.backPressuredTimeMsPerSecond -}}
{{- /* A share of time, not work to divide among pods: the target is on the value itself (pods grow by value / target). */ -}}
{{- $signals = append $signals (dict "name" "back-pressured-time" "record" "flink_cluster:back_pressured_time_ms_per_second:max" "type" "Value" "target" (int .)) -}}
{{- end -}}
{{- with $m.pendingRecordsPerTaskManager -}}
{{- $signals = append $signals (dict "name" "pending-records" "record" "flink_cluster:pending_records:sum" "type" "AverageValue" "target" (int64 .)) -}}
{{- end -}}
{{- toJson $signals -}}
{{- end -}}
