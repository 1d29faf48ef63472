{{/* Pod template shared by the JobManager and TaskManager workloads. Usage: include "flink.podTemplate" (dict "ctx" . "component" "jobmanager" "container" $containerYaml). */}}
{{- define "flink.podTemplate" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
{{- $c := index $v .component -}}
metadata:
  labels:
    {{- include "flink.podLabels" $ctx | nindent 4 }}
    app.kubernetes.io/component: {{ .component }}
    {{- with $c.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # Flink reads config.yaml at start, so a change replaces the pods; log4j reloads its file by itself.
    checksum/config: {{ include "flink.config.yaml" $ctx | sha256sum }}
    {{- if and (eq .component "jobmanager") (include "flink.job.sqlScriptPath" $ctx) $v.job.sql.script }}
    # The JobManager reads an inline SQL script at start only: a change replaces it (a new job definition).
    checksum/job-sql: {{ $v.job.sql.script | sha256sum }}
    {{- end }}
    {{- if and $v.metrics.enabled $v.metrics.scrapeAnnotations }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ $v.metrics.port | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with $c.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "flink.serviceAccountName" (list $ctx .component) }}
  # The API token is mounted only for Kubernetes HA (leader election and job metadata in ConfigMaps).
  automountServiceAccountToken: {{ include "flink.kubernetesHA" $ctx | eq "true" }}
  {{- with include "flink.imagePullSecrets" $ctx }}
  {{- . | nindent 2 }}
  {{- end }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  {{- with $c.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds }}
  {{- with $c.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with (include "flink.affinity" (list $ctx .component)) }}
  affinity:
    {{- . | nindent 4 }}
  {{- end }}
  {{- with $c.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    - {{ toYaml (merge (dict) . (dict "labelSelector" (dict "matchLabels" (include "flink.componentSelectorLabels" (list $ctx $.component) | fromYaml)))) | nindent 6 | trim }}
    {{- end }}
  {{- end }}
  {{- with $c.initContainers }}
  initContainers:
    {{- include "flink.extraContainers" (dict "containers" . "ctx" $ctx) | trim | nindent 4 }}
  {{- end }}
  containers:
    {{- .container | nindent 4 }}
    {{- with $c.sidecars }}
    {{- include "flink.extraContainers" (dict "containers" . "ctx" $ctx) | trim | nindent 4 }}
    {{- end }}
  volumes:
    {{- include "flink.volumes" $ctx | nindent 4 }}
    {{- if eq .component "jobmanager" }}
    {{- include "flink.job.sqlVolume" $ctx | nindent 4 }}
    {{- end }}
    {{- with $c.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/* User sidecars or init containers, their securityContext completed from containerSecurityContext so they stay "restricted" by default. Usage: include "flink.extraContainers" (dict "containers" $list "ctx" .). */}}
{{- define "flink.extraContainers" -}}
{{- range .containers }}
{{- $container := deepCopy . }}
{{- $securityContext := deepCopy ($container.securityContext | default dict) }}
{{- /* Key by key (not merge): a user's false must win over a default true. */}}
{{- range $key, $value := $.ctx.Values.containerSecurityContext }}
{{- if not (hasKey $securityContext $key) }}{{ $_ := set $securityContext $key $value }}{{ end }}
{{- end }}
{{- $_ := set $container "securityContext" $securityContext }}
- {{ toYaml $container | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{/* imagePullSecrets of every pod. */}}
{{- define "flink.imagePullSecrets" -}}
{{- with .Values.imagePullSecrets -}}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}

{{/* Affinity of a component: its `affinity`, or the podAntiAffinityPreset. Usage: include "flink.affinity" (list . "taskmanager"). */}}
{{- define "flink.affinity" -}}
{{- $ctx := index . 0 -}}
{{- $component := index . 1 -}}
{{- $c := index $ctx.Values $component -}}
{{- if $c.affinity -}}
{{- toYaml $c.affinity -}}
{{- else if $c.podAntiAffinityPreset -}}
{{- $term := dict "labelSelector" (dict "matchLabels" (include "flink.componentSelectorLabels" (list $ctx $component) | fromYaml)) "topologyKey" "kubernetes.io/hostname" -}}
podAntiAffinity:
{{- if eq $c.podAntiAffinityPreset "hard" }}
  requiredDuringSchedulingIgnoredDuringExecution:
    - {{ toYaml $term | nindent 6 | trim }}
{{- else }}
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 1
      podAffinityTerm:
        {{- toYaml $term | nindent 8 }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Volumes of every Flink pod: the configuration, /tmp, the checkpoint volume and the TLS keystores. */}}
{{- define "flink.volumes" -}}
- name: flink-config
  configMap:
    name: {{ include "flink.configMapName" . }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: flink-data
{{- if .Values.checkpoints.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "flink.checkpointsClaimName" . }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- include "flink.tls.volumes" . }}
{{- end -}}

{{/* Mounts of every Flink container: read-only configuration and keystores, writable /tmp and /flink-data. */}}
{{- define "flink.volumeMounts" -}}
- name: flink-config
  mountPath: /opt/flink/conf
  readOnly: true
- name: tmp
  mountPath: /tmp
- name: flink-data
  mountPath: {{ include "flink.dataDir" . }}
{{- include "flink.tls.volumeMounts" . }}
{{- end -}}

{{/* Environment of every Flink container: the pod's IP and name, the log format, storage and TLS secrets. */}}
{{- define "flink.env" -}}
- name: POD_IP
  valueFrom:
    fieldRef:
      fieldPath: status.podIP
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: FLINK_LOG_FORMAT
  value: {{ .Values.log4j.format | quote }}
{{- include "flink.storageEnv" . }}
{{- include "flink.tls.env" . }}
{{- end -}}

{{/* Environment for the durable storage, in every pod that reads or writes it: the S3 plugin, loaded at start without writing to the image, and the credentials from the user's Secret (never in the ConfigMap or args). */}}
{{- define "flink.storageEnv" -}}
{{- with .Values.checkpoints.s3 }}
{{- if .enabled }}
- name: ENABLE_BUILT_IN_PLUGINS
  value: flink-s3-fs-hadoop-{{ $.Chart.AppVersion }}.jar
# The plugin's AWS SDK 1.x would log a deprecation notice with a stack trace in every process.
- name: AWS_JAVA_V1_DISABLE_DEPRECATION_ANNOUNCEMENT
  value: "true"
{{- with .credentials }}
{{- if .existingSecret }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .accessKeyIdKey }}
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret }}
      key: {{ .secretAccessKeyKey }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Container resources: the component's resources with memory request and limit set from its `memory`, and an ephemeral-storage request for the /tmp emptyDir (RocksDB's files on Deployment TaskManagers) so the scheduler picks a node with that much disk. Usage: include "flink.resources" (list . "taskmanager"). */}}
{{- define "flink.resources" -}}
{{- $ctx := index . 0 -}}
{{- $c := index $ctx.Values (index . 1) -}}
{{- $r := deepCopy ($c.resources | default dict) -}}
{{- $_ := set $r "requests" (merge (dict "memory" $c.memory "ephemeral-storage" $ctx.Values.tmpSizeLimit) ($r.requests | default dict)) -}}
{{- $_ := set $r "limits" (merge (dict "memory" $c.memory) ($r.limits | default dict)) -}}
{{- toYaml $r -}}
{{- end -}}

{{/* A probe from its values and a handler. Usage: include "flink.probe" (dict "probe" .Values.jobmanager.livenessProbe "handler" (dict "tcpSocket" (dict "port" "rpc"))). */}}
{{- define "flink.probe" -}}
{{- $p := omit .probe "enabled" -}}
{{- toYaml (merge $p .handler) -}}
{{- end -}}

{{/* The metric query service's container port, and the Prometheus reporter's when enabled. */}}
{{- define "flink.metricsPorts" -}}
- name: metrics-query
  containerPort: {{ .Values.metrics.queryServicePort }}
  protocol: TCP
{{- if .Values.metrics.enabled }}
- name: metrics
  containerPort: {{ .Values.metrics.port }}
  protocol: TCP
{{- end -}}
{{- end -}}

{{/* storageClassName of a claim: "" omits it (cluster default), "-" sets it empty (no dynamic provisioning). */}}
{{- define "flink.storageClass" -}}
{{- if eq . "-" -}}
storageClassName: ""
{{- else if . -}}
storageClassName: {{ . | quote }}
{{- end -}}
{{- end -}}

{{/* PodDisruptionBudget of a component. Usage: include "flink.pdb" (list . "jobmanager"). */}}
{{- define "flink.pdb" -}}
{{- $ctx := index . 0 -}}
{{- $component := index . 1 -}}
{{- $pdb := (index $ctx.Values $component).podDisruptionBudget -}}
{{- if $pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "flink.metadata" (dict "ctx" $ctx "name" (include "flink.componentName" (list $ctx $component)) "component" $component) | nindent 2 }}
spec:
  {{- if not (kindIs "invalid" $pdb.minAvailable) }}
  minAvailable: {{ toJson $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ toJson $pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "flink.componentSelectorLabels" (list $ctx $component) | nindent 6 }}
{{- end }}
{{- end -}}

{{/* NetworkPolicy peer: the JobManager and TaskManager pods of this release. */}}
{{- define "flink.networkPolicy.clusterPeer" -}}
- podSelector:
    {{- include "flink.clusterSelector" . | nindent 4 }}
{{- end -}}

{{/* NetworkPolicy rule for the metrics port, when the reporter is on. */}}
{{- define "flink.networkPolicy.metricsRule" -}}
{{- if .Values.metrics.enabled -}}
- ports:
    - port: metrics
      protocol: TCP
  {{- with .Values.networkPolicy.metrics.from }}
  from:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
{{- end -}}
