{{/* Arguments of the JobManager: `jobmanager` (session) or `standalone-job` with the job's settings (application). */}}
{{- define "flink.jobmanager.args" -}}
{{- $v := .Values -}}
{{- $args := list -}}
{{- if eq $v.mode "application" -}}
{{- $args = append $args "standalone-job" -}}
{{- with $v.job.className }}{{ $args = concat $args (list "--job-classname" .) }}{{ end -}}
{{- with $v.job.fromSavepoint }}{{ $args = concat $args (list "--fromSavepoint" .) }}{{ end -}}
{{- if $v.job.allowNonRestoredState }}{{ $args = append $args "--allowNonRestoredState" }}{{ end -}}
{{- $args = concat $args $v.jobmanager.extraArgs $v.job.args -}}
{{- else -}}
{{- $args = concat (list "jobmanager") $v.jobmanager.extraArgs -}}
{{- end -}}
{{- toYaml $args -}}
{{- end -}}

{{/* The JobManager container. */}}
{{- define "flink.jobmanager.container" -}}
{{- $v := .Values -}}
{{- $jm := $v.jobmanager -}}
- name: jobmanager
  image: {{ include "flink.componentImage" (list . "jobmanager") }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  args:
    {{- include "flink.jobmanager.args" . | nindent 4 }}
  env:
    {{- include "flink.env" . | nindent 4 }}
    # The address the JobManager advertises: the Service name, or with HA its own pod IP (standby
    # JobManagers each advertise themselves; TaskManagers find the leader through the HA services).
    - name: JOB_MANAGER_RPC_ADDRESS
      value: {{ ternary "$(POD_IP)" (include "flink.jobmanager.serviceName" .) $v.highAvailability.enabled | quote }}
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
    {{- with include "flink.metricsPort" . }}
    {{- . | nindent 4 }}
    {{- end }}
  resources:
    {{- include "flink.resources" $jm | nindent 4 }}
  securityContext:
    {{- toYaml $v.containerSecurityContext | nindent 4 }}
  {{- if $jm.startupProbe.enabled }}
  startupProbe:
    {{- include "flink.probe" (dict "probe" $jm.startupProbe "handler" (dict "tcpSocket" (dict "port" "rpc"))) | nindent 4 }}
  {{- end }}
  {{- if $jm.readinessProbe.enabled }}
  {{- /* Standby JobManagers answer REST calls with 503, so with several replicas readiness is TCP. */}}
  {{- $handler := dict "httpGet" (dict "path" "/overview" "port" "rest") }}
  {{- if gt (int $jm.replicas) 1 }}
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
    {{- include "flink.volumeMounts" . | nindent 4 }}
    {{- with $jm.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
