{{/* A word quoted for bash: 'it'\''s'. */}}
{{- define "flink.shellQuote" -}}
'{{ replace "'" "'\\''" (toString .) }}'
{{- end -}}

{{/* `flink run` arguments of a job entry (jarFile, className, parallelism, fromSavepoint, allowNonRestoredState, args), shell-quoted. Usage: include "flink.runArgs" (dict "job" $job "detached" true). */}}
{{- define "flink.runArgs" -}}
{{- $job := .job -}}
{{- $args := list "run" -}}
{{- if .detached }}{{ $args = append $args "-d" }}{{ end -}}
{{- with $job.className }}{{ $args = concat $args (list "-c" .) }}{{ end -}}
{{- with $job.parallelism }}{{ $args = concat $args (list "-p" .) }}{{ end -}}
{{- with $job.fromSavepoint }}{{ $args = concat $args (list "-s" .) }}{{ end -}}
{{- if $job.allowNonRestoredState }}{{ $args = append $args "-n" }}{{ end -}}
{{- $args = concat $args (list $job.jarFile) ($job.args | default list) -}}
{{- $quoted := list -}}
{{- range $args }}{{ $quoted = append $quoted (include "flink.shellQuote" .) }}{{ end -}}
{{- join " " $quoted -}}
{{- end -}}

{{/* Pod spec of a client pod (job submission, CronJob, helm test): the client image running a bash script that sources scripts/client.sh. Usage: include "flink.clientPodSpec" (dict "ctx" . "name" "submit" "script" $script "restartPolicy" "Never" "data" true). */}}
{{- define "flink.clientPodSpec" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
serviceAccountName: {{ include "flink.serviceAccountName" $ctx }}
automountServiceAccountToken: false
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
      - bash
      - -c
      - |
        source /opt/flinkstack/client.sh
        {{- .script | nindent 8 }}
    env:
      - name: FLINK_REST_HOST
        value: {{ include "flink.jobmanager.restServiceName" $ctx }}
      - name: FLINK_REST_PORT
        value: {{ $v.jobmanager.restService.port | quote }}
      - name: FLINK_LOG_FORMAT
        value: {{ $v.log4j.format | quote }}
    resources:
      {{- toYaml $v.client.resources | nindent 6 }}
    securityContext:
      {{- toYaml $v.containerSecurityContext | nindent 6 }}
    volumeMounts:
      - name: flink-config
        mountPath: /opt/flink/conf
        readOnly: true
      - name: client-scripts
        mountPath: /opt/flinkstack
        readOnly: true
      - name: tmp
        mountPath: /tmp
      {{- if .data }}
      - name: flink-data
        mountPath: {{ include "flink.dataDir" $ctx }}
      {{- end }}
volumes:
  - name: flink-config
    configMap:
      name: {{ include "flink.configMapName" $ctx }}
  - name: client-scripts
    configMap:
      name: {{ include "flink.componentName" (list $ctx "client") }}
  - name: tmp
    emptyDir:
      sizeLimit: 1Gi
  {{- if .data }}
  - name: flink-data
    {{- if $v.checkpoints.persistence.enabled }}
    persistentVolumeClaim:
      claimName: {{ include "flink.checkpointsClaimName" $ctx }}
    {{- else }}
    emptyDir: {}
    {{- end }}
  {{- end }}
{{- end -}}
