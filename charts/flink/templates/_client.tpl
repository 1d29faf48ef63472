{{/* A word quoted for bash: 'it'\''s'. */}}
{{- define "flink.shellQuote" -}}
'{{ replace "'" "'\\''" (toString .) }}'
{{- end -}}

{{/* URL of the REST Service (web UI, REST API), which client pods talk to. */}}
{{- define "flink.restUrl" -}}
http{{ if .Values.tls.rest.enabled }}s{{ end }}://{{ include "flink.jobmanager.restServiceName" . }}:{{ .Values.jobmanager.restService.port }}
{{- end -}}

{{/* Attached `flink run` of a bounded job (jarFile, className, parallelism, args) against the REST Service, shell-quoted. Usage: include "flink.runCommand" (dict "ctx" . "job" $job). */}}
{{- define "flink.runCommand" -}}
{{- $job := .job -}}
{{- $ctx := .ctx -}}
{{- $args := list "/opt/flink/bin/entrypoint.sh" "flink" "run" "-m" (printf "%s:%v" (include "flink.jobmanager.restServiceName" $ctx) $ctx.Values.jobmanager.restService.port) -}}
{{- with $job.className }}{{ $args = concat $args (list "-c" .) }}{{ end -}}
{{- with $job.parallelism }}{{ $args = concat $args (list "-p" .) }}{{ end -}}
{{- $args = concat $args (list $job.jarFile) ($job.args | default list) -}}
{{- $quoted := list -}}
{{- range $args }}{{ $quoted = append $quoted (include "flink.shellQuote" .) }}{{ end -}}
{{- join " " $quoted -}}
{{- end -}}

{{/* `control wait` for the REST API, shell-quoted: the first step of every client pod. */}}
{{- define "flink.awaitRestCommand" -}}
/opt/flink/bin/entrypoint.sh control wait --timeout 300s
{{- end -}}

{{/* Pod spec of a client pod (job submission, CronJob, helm test, SQL Gateway): the client image running `args` with the Flink pods' configuration and volumes, plus the optional `env` list; "submits" for pods that run `flink run`; a server also gives its "ports", "probe" (the readiness handler; liveness is TCP on the first port) and "resources" (default: client.resources). Usage: include "flink.clientPodSpec" (dict "ctx" . "name" "submit" "args" $args "restartPolicy" "Never" "submits" true). */}}
{{- define "flink.clientPodSpec" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
serviceAccountName: {{ include "flink.serviceAccountName" (list $ctx "taskmanager") }}
{{- /* With Kubernetes HA, `flink run` finds the REST leader in the ConfigMaps. */}}
automountServiceAccountToken: {{ and (default false .submits) (include "flink.kubernetesHA" $ctx | eq "true") }}
restartPolicy: {{ .restartPolicy }}
{{- with include "flink.imagePullSecrets" $ctx }}
{{ . }}
{{- end }}
securityContext:
  {{- toYaml $v.podSecurityContext | nindent 2 }}
containers:
  - name: {{ .name }}
    image: {{ include "flink.clientImage" $ctx }}
    imagePullPolicy: {{ $v.image.pullPolicy }}
    args:
      {{- toYaml .args | nindent 6 }}
    env:
      - name: FLINK_REST_URL
        value: {{ include "flink.restUrl" $ctx | quote }}
      - name: FLINK_LOG_FORMAT
        value: {{ $v.log4j.format | quote }}
      {{- include "flink.storageEnv" $ctx | nindent 6 }}
      {{- include "flink.tls.env" $ctx | nindent 6 }}
      {{- with .env }}
      {{- toYaml . | nindent 6 }}
      {{- end }}
    {{- with .ports }}
    ports:
      {{- toYaml . | nindent 6 }}
    readinessProbe:
      {{- toYaml (merge (dict "periodSeconds" 10 "failureThreshold" 3 "timeoutSeconds" 5) $.probe) | nindent 6 }}
    livenessProbe:
      {{- toYaml (dict "tcpSocket" (dict "port" (first .).name) "periodSeconds" 10 "failureThreshold" 6 "timeoutSeconds" 5) | nindent 6 }}
    {{- end }}
    resources:
      {{- toYaml (.resources | default $v.client.resources) | nindent 6 }}
    securityContext:
      {{- toYaml $v.containerSecurityContext | nindent 6 }}
    volumeMounts:
      {{- include "flink.volumeMounts" $ctx | nindent 6 }}
volumes:
  {{- include "flink.volumes" $ctx | nindent 2 }}
{{- end -}}
