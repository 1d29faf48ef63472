{{/* Mount path of the checkpoint volume; the image's default paths point here. */}}
{{- define "flink.dataDir" -}}/flink-data{{- end -}}

{{/* Root of the durable state (checkpoints, savepoints, HA metadata, job archive, lifecycle records): the claim at /flink-data, or S3. */}}
{{- define "flink.durableDir" -}}
{{- with .Values.checkpoints.s3 -}}
{{- if .enabled -}}
s3://{{ .bucket }}/{{ .prefix | default (include "flink.fullname" $) | trimAll "/" }}
{{- else -}}
file://{{ include "flink.dataDir" $ }}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The savepoint directory of the configuration (derived, or flinkConfiguration's), which NOTES print. */}}
{{- define "flink.savepointDir" -}}
{{- index (include "flink.config" . | fromJson) "execution.checkpointing.savepoint-dir" -}}
{{- end -}}

{{/* Mount path of the per-pod working volume of StatefulSet TaskManagers. */}}
{{- define "flink.workingDir" -}}/flink-working{{- end -}}

{{/* Keys derived from values: addresses, ports, memory, storage, metrics, reactive mode, HA. A key set to null is removed from the defaults. */}}
{{- define "flink.config.derived" -}}
{{- $v := .Values -}}
{{- $durable := include "flink.durableDir" . -}}
{{- $c := dict -}}
{{- $_ := set $c "jobmanager.rpc.address" (include "flink.jobmanager.serviceName" .) -}}
{{- $_ := set $c "rest.address" (include "flink.jobmanager.serviceName" .) -}}
{{- $_ := set $c "jobmanager.rpc.port" $v.jobmanager.service.ports.rpc -}}
{{- $_ := set $c "blob.server.port" $v.jobmanager.service.ports.blob -}}
{{- $_ := set $c "rest.port" $v.jobmanager.service.ports.rest -}}
{{- $_ := set $c "taskmanager.rpc.port" $v.taskmanager.service.ports.rpc -}}
{{- $_ := set $c "taskmanager.data.port" $v.taskmanager.service.ports.data -}}
{{- $_ := set $c "metrics.internal.query-service.port" (toString $v.metrics.queryServicePort) -}}
{{- $_ := set $c "jobmanager.memory.process.size" (include "flink.flinkMemory" $v.jobmanager.memory) -}}
{{- $_ := set $c "taskmanager.memory.process.size" (include "flink.flinkMemory" $v.taskmanager.memory) -}}
{{- $_ := set $c "taskmanager.numberOfTaskSlots" $v.taskmanager.numberOfTaskSlots -}}
{{- $_ := set $c "parallelism.default" (ternary $v.job.parallelism 1 (eq $v.mode "application")) -}}
{{- $_ := set $c "execution.checkpointing.dir" (printf "%s/checkpoints" $durable) -}}
{{- $_ := set $c "execution.checkpointing.savepoint-dir" (printf "%s/savepoints" $durable) -}}
{{- $_ := set $c "jobmanager.archive.fs.dir" (printf "%s/completed-jobs" $durable) -}}
{{- $_ := set $c "historyserver.archive.fs.dir" (printf "%s/completed-jobs" $durable) -}}
{{- with $v.checkpoints.s3 -}}
{{- if .enabled -}}
{{- /* flink-s3-fs-hadoop reads s3.* as fs.s3a.*. The default chain takes the Secret's keys from the environment, or the pod's web identity (IRSA), container credentials (EKS Pod Identity) or instance profile; keys never enter this file. */ -}}
{{- $_ := set $c "s3.aws.credentials.provider" "com.amazonaws.auth.DefaultAWSCredentialsProviderChain" -}}
{{- $_ := set $c "s3.path.style.access" .pathStyleAccess -}}
{{- /* S3A deletes a directory's marker objects after every write by default: many requests, and a failure on stores that keep keys as files (their "directory" is not empty). Flink's plugin is the only client, and it understands kept markers. */ -}}
{{- $_ := set $c "s3.directory.marker.retention" "keep" -}}
{{- with .endpoint }}{{ $_ := set $c "s3.endpoint" . }}{{ end -}}
{{- with .region }}{{ $_ := set $c "s3.endpoint.region" . }}{{ end -}}
{{- end -}}
{{- end -}}
{{- /* The jobs' lifecycle (job.upgradeMode, job.state, the nonces, the session jobs' reconciler): see the images' dev.flinkstack.lifecycle. */ -}}
{{- $_ := set $c "flinkstack.lifecycle.dir" (printf "%s/lifecycle/%s" $durable (include "flink.clusterId" .)) -}}
{{- $_ := set $c "execution.job-status-changed-listeners" "dev.flinkstack.lifecycle.JobStatusRecorder$Factory" -}}
{{- if eq $v.mode "application" -}}
{{- /* The JobManager stays up after the job ends, so a Deployment does not run it again. */ -}}
{{- $_ := set $c "execution.shutdown-on-application-finish" false -}}
{{- /* An application cluster runs its one job: no jar upload through REST (running any code), and no Cancel button in the web UI. Flink's REST API still accepts cancellation (web.cancel.enable only hides the button), so access control (tls.rest.mutualAuthentication, a proxy) guards that. */ -}}
{{- $_ := set $c "web.submit.enable" false -}}
{{- $_ := set $c "web.cancel.enable" false -}}
{{- with $v.job.fromSavepoint }}{{ $_ := set $c "flinkstack.initial-savepoint" . }}{{ end -}}
{{- with $v.job.savepointRedeployNonce }}{{ $_ := set $c "flinkstack.initial-savepoint-nonce" (toString .) }}{{ end -}}
{{- with $v.job.restartNonce }}{{ $_ := set $c "flinkstack.restart-nonce" (toString .) }}{{ end -}}
{{- end -}}
{{- if eq $v.taskmanager.kind "StatefulSet" -}}
{{- $work := include "flink.workingDir" . -}}
{{- $_ := set $c "process.taskmanager.working-dir" $work -}}
{{- $_ := set $c "state.backend.rocksdb.localdir" (printf "%s/rocksdb" $work) -}}
{{- $_ := set $c "execution.state-recovery.from-local" $v.taskmanager.statefulSet.localRecovery -}}
{{- end -}}
{{- if $v.metrics.enabled -}}
{{- $_ := set $c "metrics.reporter.prom.port" $v.metrics.port -}}
{{- /* Every series names its cluster, so Prometheus rules (and the autoscaling signals) can tell two releases in a namespace apart. */ -}}
{{- $_ := set $c "metrics.reporter.prom.scope.variables.additional" (printf "flink_cluster:%s" (include "flink.clusterLabel" .)) -}}
{{- else -}}
{{- $_ := set $c "metrics.reporter.prom.factory.class" nil -}}
{{- $_ := set $c "metrics.reporter.prom.port" nil -}}
{{- end -}}
{{- if $v.autoscaling.enabled -}}
{{- $_ := set $c "scheduler-mode" "reactive" -}}
{{- $_ := set $c "pipeline.max-parallelism" $v.autoscaling.maxParallelism -}}
{{- end -}}
{{- with $v.highAvailability -}}
{{- if .enabled -}}
{{- $_ := set $c "high-availability.type" .type -}}
{{- $_ := set $c "high-availability.storageDir" (.storageDir | default (printf "%s/ha" $durable)) -}}
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
{{- range $key, $value := include "flink.tls.config" . | fromJson }}{{ $_ := set $c $key $value }}{{ end -}}
{{- toJson $c -}}
{{- end -}}

{{/* The Flink configuration as a dict: conf/config.yaml (the defaults the images ship too), then the derived keys, then flinkConfiguration. */}}
{{- define "flink.config" -}}
{{- $c := .Files.Get "conf/config.yaml" | fromYaml -}}
{{- /* Key by key (not mergeOverwrite, which never overwrites with false or 0). */ -}}
{{- range $key, $value := include "flink.config.derived" . | fromJson }}
{{- if kindIs "invalid" $value }}{{ $_ := unset $c $key }}{{ else }}{{ $_ := set $c $key $value }}{{ end }}
{{- end -}}
{{- $user := include "flink.flatten" (dict "map" .Values.flinkConfiguration) | fromJson -}}
{{- /* The heap state backend never uses managed memory (RocksDB's); give it to the heap unless sized explicitly. */ -}}
{{- $backend := index $user "state.backend.type" | default (index $c "state.backend.type") -}}
{{- $managedSized := or (hasKey $user "taskmanager.memory.managed.fraction") (hasKey $user "taskmanager.memory.managed.size") -}}
{{- if and (eq (toString $backend) "hashmap") (not $managedSized) }}{{ $_ := set $c "taskmanager.memory.managed.fraction" 0 }}{{ end -}}
{{- range $key, $value := $user }}{{ $_ := set $c $key $value }}{{ end -}}
{{- toJson $c -}}
{{- end -}}

{{/* flinkConfiguration with nested maps flattened to dotted keys, as Flink reads config.yaml. Usage: include "flink.flatten" (dict "map" $m). */}}
{{- define "flink.flatten" -}}
{{- $flat := dict -}}
{{- $prefix := .prefix | default "" -}}
{{- range $key, $value := .map -}}
{{- if kindIs "map" $value -}}
{{- $flat = merge $flat (include "flink.flatten" (dict "map" $value "prefix" (printf "%s%s." $prefix $key)) | fromJson) -}}
{{- else -}}
{{- $_ := set $flat (printf "%s%s" $prefix $key) $value -}}
{{- end -}}
{{- end -}}
{{- toJson $flat -}}
{{- end -}}

{{/* The session jobs file of the reconciler (control reconcile): the cluster id, from which job ids derive, and jobs[]; empty in application mode. */}}
{{- define "flink.sessionJobs" -}}
{{- if eq .Values.mode "session" -}}
{{- toJson (dict "clusterId" (include "flink.clusterId" .) "jobs" (.Values.jobs | default list)) -}}
{{- end -}}
{{- end -}}

{{/* The complete config.yaml, sorted, one "key: <JSON value>" line per key (JSON is valid YAML and keeps types exact). */}}
{{- define "flink.config.yaml" -}}
{{- $c := include "flink.config" . | fromJson -}}
# Generated by the flink chart from conf/config.yaml and values: edit values, not this file.
{{- range $key := keys $c | sortAlpha }}
{{ $key }}: {{ index $c $key | toJson }}
{{- end }}
{{- end -}}

{{/* The complete log4j-console.properties: conf/log4j-console.properties with the levels from values. */}}
{{- define "flink.log4j.properties" -}}
{{ regexReplaceAll "(?m)^rootLogger\\.level = .*$" (.Files.Get "conf/log4j-console.properties" | trim) (printf "rootLogger.level = %s" .Values.log4j.rootLevel) }}
{{- range $name, $level := .Values.log4j.loggers }}
{{- $id := regexReplaceAll "[^A-Za-z0-9_]" $name "_" }}
logger.chart_{{ $id }}.name = {{ $name }}
logger.chart_{{ $id }}.level = {{ $level }}
{{- end }}
{{- end -}}
