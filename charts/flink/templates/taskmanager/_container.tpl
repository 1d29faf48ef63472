{{/* Arguments of the TaskManager: it advertises its pod IP; in a StatefulSet its pod name is its stable resource id (local recovery). */}}
{{- define "flink.taskmanager.args" -}}
{{- $args := list "taskmanager" "-Dtaskmanager.host=$(POD_IP)" -}}
{{- if eq .Values.taskmanager.kind "StatefulSet" -}}
{{- $args = append $args "-Dtaskmanager.resource-id=$(POD_NAME)" -}}
{{- end -}}
{{- toYaml (concat $args .Values.taskmanager.extraArgs) -}}
{{- end -}}

{{/* The TaskManager container. */}}
{{- define "flink.taskmanager.container" -}}
{{- $v := .Values -}}
{{- $tm := $v.taskmanager -}}
{{- $tcp := dict "tcpSocket" (dict "port" "rpc") -}}
- name: taskmanager
  image: {{ include "flink.componentImage" (list . "taskmanager") }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  args:
    {{- include "flink.taskmanager.args" . | nindent 4 }}
  env:
    {{- include "flink.env" . | nindent 4 }}
    {{- with $tm.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: rpc
      containerPort: {{ $tm.service.ports.rpc }}
      protocol: TCP
    - name: data
      containerPort: {{ $tm.service.ports.data }}
      protocol: TCP
    {{- include "flink.metricsPorts" . | nindent 4 }}
  resources:
    {{- include "flink.resources" (list . "taskmanager") | nindent 4 }}
  securityContext:
    {{- toYaml $v.containerSecurityContext | nindent 4 }}
  {{- range $name := list "startupProbe" "readinessProbe" "livenessProbe" }}
  {{- $probe := index $tm $name }}
  {{- if $probe.enabled }}
  {{ $name }}:
    {{- include "flink.probe" (dict "probe" $probe "handler" $tcp) | nindent 4 }}
  {{- end }}
  {{- end }}
  volumeMounts:
    {{- include "flink.volumeMounts" . | nindent 4 }}
    {{- if eq $tm.kind "StatefulSet" }}
    - name: working
      mountPath: {{ include "flink.workingDir" . }}
    {{- end }}
    {{- with $tm.extraVolumeMounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
