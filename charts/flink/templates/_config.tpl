{{/* Mount path of the checkpoint volume; the image's default paths point here. */}}
{{- define "flink.dataDir" -}}/flink-data{{- end -}}

{{/* Mount path of the per-pod working volume of StatefulSet TaskManagers. */}}
{{- define "flink.workingDir" -}}/flink-working{{- end -}}

{{/* Keys derived from values: ports, addresses, memory, state, heartbeats. */}}
{{- define "flink.config.derived" -}}
{{- $v := .Values -}}
{{- $data := include "flink.dataDir" . -}}
{{- $c := dict -}}
{{- $_ := set $c "jobmanager.rpc.address" (include "flink.jobmanager.serviceName" .) -}}
{{- $_ := set $c "rest.address" (include "flink.jobmanager.serviceName" .) -}}
{{- $_ := set $c "jobmanager.rpc.port" $v.jobmanager.service.ports.rpc -}}
{{- $_ := set $c "blob.server.port" $v.jobmanager.service.ports.blob -}}
{{- $_ := set $c "rest.port" $v.jobmanager.service.ports.rest -}}
{{- $_ := set $c "taskmanager.rpc.port" $v.taskmanager.service.ports.rpc -}}
{{- $_ := set $c "taskmanager.data.port" $v.taskmanager.service.ports.data -}}
{{- $_ := set $c "jobmanager.memory.process.size" (include "flink.flinkMemory" $v.jobmanager.memory) -}}
{{- $_ := set $c "taskmanager.memory.process.size" (include "flink.flinkMemory" $v.taskmanager.memory) -}}
{{- $_ := set $c "taskmanager.numberOfTaskSlots" $v.taskmanager.numberOfTaskSlots -}}
{{- $_ := set $c "parallelism.default" (ternary $v.job.parallelism 1 (eq $v.mode "application")) -}}
{{- $_ := set $c "state.backend.type" $v.checkpoints.stateBackend -}}
{{- $_ := set $c "execution.checkpointing.incremental" $v.checkpoints.incremental -}}
{{- $_ := set $c "execution.checkpointing.dir" (printf "file://%s/checkpoints" $data) -}}
{{- $_ := set $c "execution.checkpointing.savepoint-dir" (printf "file://%s/savepoints" $data) -}}
{{- $_ := set $c "execution.checkpointing.num-retained" $v.checkpoints.retained -}}
{{- $_ := set $c "execution.checkpointing.interval" $v.checkpoints.interval -}}
{{- $_ := set $c "execution.checkpointing.timeout" $v.checkpoints.timeout -}}
{{- $_ := set $c "execution.checkpointing.min-pause" $v.checkpoints.minPause -}}
{{- $_ := set $c "execution.checkpointing.mode" $v.checkpoints.mode -}}
{{- $_ := set $c "execution.checkpointing.externalized-checkpoint-retention" $v.checkpoints.externalizedRetention -}}
{{- $_ := set $c "heartbeat.interval" $v.heartbeat.interval -}}
{{- $_ := set $c "heartbeat.timeout" $v.heartbeat.timeout -}}
{{- if eq $v.taskmanager.kind "StatefulSet" -}}
{{- $work := include "flink.workingDir" . -}}
{{- $_ := set $c "process.taskmanager.working-dir" $work -}}
{{- $_ := set $c "state.backend.rocksdb.localdir" (printf "%s/rocksdb" $work) -}}
{{- $_ := set $c "execution.state-recovery.from-local" $v.taskmanager.statefulSet.localRecovery -}}
{{- end -}}
{{- if $v.metrics.enabled -}}
{{- $_ := set $c "metrics.reporter.prom.factory.class" "org.apache.flink.metrics.prometheus.PrometheusReporterFactory" -}}
{{- $_ := set $c "metrics.reporter.prom.port" $v.metrics.port -}}
{{- end -}}
{{- /* Rescale timing of the adaptive scheduler: used in reactive mode, harmless otherwise. */ -}}
{{- $_ := set $c "jobmanager.adaptive-scheduler.executing.cooldown-after-rescaling" $v.autoscaling.reactive.cooldown -}}
{{- $_ := set $c "jobmanager.adaptive-scheduler.executing.resource-stabilization-timeout" $v.autoscaling.reactive.resourceStabilizationTimeout -}}
{{- $_ := set $c "jobmanager.adaptive-scheduler.rescale-trigger.max-delay" $v.autoscaling.reactive.rescaleTriggerMaxDelay -}}
{{- if $v.autoscaling.enabled -}}
{{- $_ := set $c "scheduler-mode" "reactive" -}}
{{- $_ := set $c "pipeline.max-parallelism" $v.autoscaling.reactive.maxParallelism -}}
{{- end -}}
{{- with $v.highAvailability -}}
{{- if .enabled -}}
{{- $_ := set $c "high-availability.type" .type -}}
{{- $_ := set $c "high-availability.storageDir" (.storageDir | default (printf "file://%s/ha" $data)) -}}
{{- if eq .type "kubernetes" -}}
{{- $_ := set $c "kubernetes.cluster-id" (include "flink.clusterId" $) -}}
{{- $_ := set $c "kubernetes.namespace" (include "flink.namespace" $) -}}
{{- else -}}
{{- $_ := set $c "high-availability.cluster-id" (include "flink.clusterId" $) -}}
{{- $_ := set $c "high-availability.zookeeper.quorum" .zookeeper.quorum -}}
{{- $_ := set $c "high-availability.zookeeper.path.root" .zookeeper.rootPath -}}
{{- $_ := set $c "high-availability.zookeeper.client.session-timeout" .zookeeper.sessionTimeout -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $c -}}
{{- end -}}

{{/* The complete config.yaml: conf/config.yaml, then derived keys, then flinkConfiguration; sorted, one "key: <JSON value>" line per key (JSON is valid YAML and keeps types exact). */}}
{{- define "flink.config.yaml" -}}
{{- $c := .Files.Get "conf/config.yaml" | fromYaml -}}
{{- /* Key by key (not mergeOverwrite, which never overwrites with false or 0). */ -}}
{{- range $key, $value := include "flink.config.derived" . | fromJson }}{{ $_ := set $c $key $value }}{{ end -}}
{{- range $key, $value := .Values.flinkConfiguration }}{{ $_ := set $c $key $value }}{{ end -}}
# Generated by the {{ include "flink.chart" . }} chart: edit values, not this file.
{{- range $key := keys $c | sortAlpha }}
{{ $key }}: {{ index $c $key | toJson }}
{{- end }}
{{- end -}}

{{/* The complete log4j-console.properties: conf/log4j-console.properties plus levels from values. */}}
{{- define "flink.log4j.properties" -}}
{{ .Files.Get "conf/log4j-console.properties" | trim }}

rootLogger.level = {{ .Values.log4j.rootLevel }}
{{- range $name, $level := .Values.log4j.loggers }}
{{- $id := regexReplaceAll "[^A-Za-z0-9_]" $name "_" }}
logger.chart_{{ $id }}.name = {{ $name }}
logger.chart_{{ $id }}.level = {{ $level }}
{{- end }}
{{- end -}}
