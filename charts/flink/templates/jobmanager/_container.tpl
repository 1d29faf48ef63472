{{/* Arguments of the JobManager: `jobmanager` (session) or `standalone-job` with the job's settings (application). With "identity", an application's also carry its fixed job id and its definition hash (flink.jobDefinition, which hashes the pod templates rendered without them). Usage: include "flink.jobmanager.args" (dict "ctx" . "identity" true). */}}
{{- define "flink.jobmanager.args" -}}
{{- $v := .ctx.Values -}}
{{- $args := list -}}
{{- if eq $v.mode "application" -}}
{{- $args = append $args "standalone-job" -}}
{{- if .identity }}
{{- $definition := include "flink.jobDefinition" .ctx -}}
{{- $args = concat $args (list "--job-id" (include "flink.jobId" (dict "ctx" .ctx "definition" $definition)) (printf "-Dflinkstack.definition=%s" $definition)) -}}
{{- end -}}
{{- $sqlScript := include "flink.job.sqlScriptPath" .ctx -}}
{{- with $v.job.className }}{{ $args = concat $args (list "--job-classname" .) }}{{ end -}}
{{- if $sqlScript }}{{ $args = concat $args (list "--job-classname" "org.apache.flink.table.runtime.application.SqlDriver") }}{{ end -}}
{{- if $v.job.allowNonRestoredState }}{{ $args = append $args "--allowNonRestoredState" }}{{ end -}}
{{- $args = concat $args $v.jobmanager.extraArgs -}}
{{- if $sqlScript }}{{ $args = concat $args (list "--scriptUri" (printf "file://%s" $sqlScript)) }}{{ end -}}
{{- $args = concat $args $v.job.args -}}
{{- else -}}
{{- $args = concat (list "jobmanager") $v.jobmanager.extraArgs -}}
{{- end -}}
{{- toYaml $args -}}
{{- end -}}

{{/* Where the JobManager finds the SQL script of a SQL application (job.sql); empty for a jar job. The inline script is a key of the chart's ConfigMap, a user's ConfigMap is mounted at /opt/flink/sql. */}}
{{- define "flink.job.sqlScriptPath" -}}
{{- $sql := .Values.job.sql -}}
{{- if ne .Values.mode "application" -}}
{{- else if $sql.script -}}/opt/flink/conf/job.sql
{{- else if $sql.configMap.name -}}/opt/flink/sql/job.sql
{{- else -}}{{ $sql.path }}
{{- end -}}
{{- end -}}

{{/* The volume of a SQL script in a user's ConfigMap (job.sql.configMap), as the JobManager mounts it at /opt/flink/sql; empty otherwise. */}}
{{- define "flink.job.sqlVolume" -}}
{{- if and (eq .Values.mode "application") .Values.job.sql.configMap.name (not .Values.job.sql.script) -}}
- name: job-sql
  configMap:
    name: {{ .Values.job.sql.configMap.name }}
    items:
      - key: {{ .Values.job.sql.configMap.key }}
        path: job.sql
{{- end -}}
{{- end -}}

{{/* Hash of an application's definition: the JobManager and TaskManager pod templates (images, arguments, configuration, volumes, resources), rendered without the job id and this hash. Any change to it replaces the JobManager; the savepoint hook compares it with the running JobManager's to know whether an upgrade does. */}}
{{- define "flink.jobDefinition" -}}
{{- $jobManager := include "flink.podTemplate" (dict "ctx" . "component" "jobmanager" "container" (include "flink.jobmanager.container" (dict "ctx" . "identity" false))) -}}
{{- $taskManager := include "flink.podTemplate" (dict "ctx" . "component" "taskmanager" "container" (include "flink.taskmanager.container" .)) -}}
{{- print $jobManager $taskManager | sha256sum | trunc 16 -}}
{{- end -}}

{{/* Fixed job id of an application (32 hex digits), so checkpoints and savepoints of every run of the job are found under one id: from the cluster id, and in stateless mode from the job definition too (a new definition is a new job that starts empty). Usage: include "flink.jobId" (dict "ctx" . "definition" $hash). */}}
{{- define "flink.jobId" -}}
{{- $seed := include "flink.clusterId" .ctx -}}
{{- if eq .ctx.Values.job.upgradeMode "stateless" }}{{ $seed = printf "%s/%s" $seed .definition }}{{ end -}}
{{- printf "%s/job" $seed | sha256sum | trunc 32 -}}
{{- end -}}

{{/* The JobManager container; "identity" as in flink.jobmanager.args. Usage: include "flink.jobmanager.container" (dict "ctx" . "identity" true). */}}
{{- define "flink.jobmanager.container" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
{{- $jm := $v.jobmanager -}}
- name: jobmanager
  image: {{ include "flink.componentImage" (list $ctx "jobmanager") }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  args:
    {{- include "flink.jobmanager.args" . | nindent 4 }}
  env:
    {{- include "flink.env" $ctx | nindent 4 }}
    # The address the JobManager advertises: the Service name, or with HA its own pod IP (standby
    # JobManagers each advertise themselves; TaskManagers find the leader through the HA services).
    - name: JOB_MANAGER_RPC_ADDRESS
      value: {{ ternary "$(POD_IP)" (include "flink.jobmanager.serviceName" $ctx) $v.highAvailability.enabled | quote }}
    {{- with $jm.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: rpc
      containerPort: {{ $jm.service.ports.rpc }}
      protocol: TCP
    - name: blob
      containerPort: {{ $jm.service.ports.blob }}
      protocol: TCP
    - name: rest
      containerPort: {{ $jm.service.ports.rest }}
      protocol: TCP
    {{- include "flink.metricsPorts" $ctx | nindent 4 }}
  resources:
    {{- include "flink.resources" (list $ctx "jobmanager") | nindent 4 }}
  securityContext:
    {{- toYaml $v.containerSecurityContext | nindent 4 }}
  {{- if $jm.startupProbe.enabled }}
  startupProbe:
    {{- include "flink.probe" (dict "probe" $jm.startupProbe "handler" (dict "tcpSocket" (dict "port" "rpc"))) | nindent 4 }}
  {{- end }}
  {{- if $jm.readinessProbe.enabled }}
  {{- /* A standby JobManager answers REST calls through the leader, so it is ready once a leader is elected. The kubelet has no client certificate for mutual TLS: then readiness is TCP. */}}
  {{- $handler := dict "httpGet" (dict "path" "/overview" "port" "rest" "scheme" (ternary "HTTPS" "HTTP" $v.tls.rest.enabled)) }}
  {{- if $v.tls.rest.mutualAuthentication }}
  {{- $handler = dict "tcpSocket" (dict "port" "rest") }}
  {{- end }}
  readinessProbe:
    {{- include "flink.probe" (dict "probe" $jm.readinessProbe "handler" $handler) | nindent 4 }}
  {{- end }}
  {{- if $jm.livenessProbe.enabled }}
  livenessProbe:
    {{- include "flink.probe" (dict "probe" $jm.livenessProbe "handler" (dict "tcpSocket" (dict "port" "rpc"))) | nindent 4 }}
  {{- end }}
  volumeMounts:
    {{- include "flink.volumeMounts" $ctx | nindent 4 }}
    {{- if include "flink.job.sqlVolume" $ctx }}
    - name: job-sql
      mountPath: /opt/flink/sql
      readOnly: true
    {{- end }}
    {{- with $jm.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
