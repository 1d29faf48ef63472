{{/* Chart name, or nameOverride; truncated to 63 characters (DNS label). */}}
{{- define "flink.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name prefix of every object: fullnameOverride, or <release>-<chart> (just <release> when it already contains the chart name). */}}
{{- define "flink.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The flink_cluster label of every metric (see _config.tpl): the full name as Flink's Prometheus reporter writes a label value, every character but letters, digits, ':' and '_' turned into '_' (release "traffic-eu" -> "traffic_eu"). Selectors of these series must use this, not the full name. */}}
{{- define "flink.clusterLabel" -}}
{{- regexReplaceAll "[^a-zA-Z0-9:_]" (include "flink.fullname" .) "_" -}}
{{- end -}}

{{/* Name of a component's objects: <fullname>-<suffix>, the full name shortened so the suffix (and so uniqueness) survives the 63-character limit. Usage: include "flink.componentName" (list . "jobmanager"). */}}
{{- define "flink.componentName" -}}
{{- $suffix := index . 1 -}}
{{- $prefix := include "flink.fullname" (index . 0) | trunc (int (sub 62 (len $suffix))) | trimSuffix "-" -}}
{{- printf "%s-%s" $prefix $suffix -}}
{{- end -}}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "flink.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Namespace of every object: namespaceOverride or the release namespace. */}}
{{- define "flink.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object (never put user podLabels here). */}}
{{- define "flink.labels" -}}
helm.sh/chart: {{ include "flink.chart" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{ include "flink.podLabels" . }}
{{- end -}}

{{/* Labels of every pod: those of every object except chart and version, so a new chart version alone replaces no pod. */}}
{{- define "flink.podLabels" -}}
{{ include "flink.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: flink
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of the release: name and instance only (never chart or version). */}}
{{- define "flink.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flink.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Label selector of the Flink pods of the release: the JobManagers and TaskManagers (not client pods). */}}
{{- define "flink.clusterSelector" -}}
matchLabels:
  {{- include "flink.selectorLabels" . | nindent 2 }}
matchExpressions:
  - key: app.kubernetes.io/component
    operator: In
    values: [jobmanager, taskmanager]
{{- end -}}

{{/* Labels of a component's objects. Usage: include "flink.componentLabels" (list . "jobmanager"). */}}
{{- define "flink.componentLabels" -}}
{{ include "flink.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Selector labels of a component: name, instance and component. Usage: include "flink.componentSelectorLabels" (list . "jobmanager"). */}}
{{- define "flink.componentSelectorLabels" -}}
{{ include "flink.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/* Metadata lines shared by every object: name, namespace, labels and commonAnnotations. Usage: include "flink.metadata" (dict "ctx" . "name" $name "component" "jobmanager" "labels" $extraLabels "annotations" $extraAnnotations); component, labels and annotations are optional. */}}
{{- define "flink.metadata" -}}
name: {{ .name }}
namespace: {{ include "flink.namespace" .ctx }}
labels:
{{- if .component }}
  {{- include "flink.componentLabels" (list .ctx .component) | nindent 2 }}
{{- else }}
  {{- include "flink.labels" .ctx | nindent 2 }}
{{- end }}
{{- with .labels }}
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- $annotations := merge (dict) (.annotations | default dict) .ctx.Values.commonAnnotations }}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* ServiceAccount of a component's pods: "jobmanager", or "taskmanager" (TaskManagers and client pods, which run user code and so get fewer rights). Usage: include "flink.serviceAccountName" (list . "taskmanager"). */}}
{{- define "flink.serviceAccountName" -}}
{{- $ctx := index . 0 -}}
{{- $sa := $ctx.Values.serviceAccount -}}
{{- $jobManager := ternary (default (include "flink.fullname" $ctx) $sa.name) (default "default" $sa.name) $sa.create -}}
{{- if eq (index . 1) "jobmanager" -}}
{{- $jobManager -}}
{{- else -}}
{{- default (ternary (include "flink.componentName" (list $ctx "taskmanager")) $jobManager $sa.create) $sa.taskManagerName -}}
{{- end -}}
{{- end -}}

{{/* The ConfigMap verbs Flink's Kubernetes HA uses, per component (KubernetesHaRbacIT records them): JobManagers elect leaders and keep job metadata; TaskManagers and `flink run` clients only discover the leaders. */}}
{{- define "flink.kubernetesHAVerbs" -}}
{{- toJson (dict "jobmanager" (list "get" "list" "watch" "create" "update" "patch" "delete") "taskmanager" (list "list" "watch")) -}}
{{- end -}}

{{/* Image reference: [registry/]repository, then @digest when set, else :tag (default: the chart's appVersion). Usage: include "flink.image" (dict "ctx" . "repository" $repo "tag" $tag "digest" $digest). */}}
{{- define "flink.image" -}}
{{- $registry := .ctx.Values.image.registry -}}
{{- $repository := .repository -}}
{{- if $registry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository -}}
{{- end -}}
{{- if .digest -}}
{{- printf "%s@%s" $repository .digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (toString (.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion)) -}}
{{- end -}}
{{- end -}}

{{/* Image of a Flink component; its digest defaults to image.digest. Usage: include "flink.componentImage" (list . "jobmanager"). */}}
{{- define "flink.componentImage" -}}
{{- $ctx := index . 0 -}}
{{- $image := (index $ctx.Values (index . 1)).image -}}
{{- include "flink.image" (dict "ctx" $ctx "repository" $image.repository "digest" ($image.digest | default $ctx.Values.image.digest)) -}}
{{- end -}}

{{/* Image of client pods (submission Job, CronJob, helm test): client.image, or the JobManager image. */}}
{{- define "flink.clientImage" -}}
{{- $image := .Values.client.image -}}
{{- if $image.repository -}}
{{- include "flink.image" (dict "ctx" . "repository" $image.repository "tag" $image.tag "digest" $image.digest) -}}
{{- else -}}
{{- include "flink.componentImage" (list . "jobmanager") -}}
{{- end -}}
{{- end -}}

{{/* Name of the checkpoint PersistentVolumeClaim: existingClaim, or <fullname>-checkpoints. */}}
{{- define "flink.checkpointsClaimName" -}}
{{- .Values.checkpoints.persistence.existingClaim | default (include "flink.componentName" (list . "checkpoints")) -}}
{{- end -}}

{{/* Host name of the JobManager Service (RPC and blob), which non-HA TaskManagers connect to. */}}
{{- define "flink.jobmanager.serviceName" -}}
{{- include "flink.componentName" (list . "jobmanager") -}}
{{- end -}}

{{/* Name of the REST Service (web UI, job submission). */}}
{{- define "flink.jobmanager.restServiceName" -}}
{{- include "flink.componentName" (list . "jobmanager-rest") -}}
{{- end -}}

{{/* Name of the SQL Gateway's Deployment and Service. */}}
{{- define "flink.sqlGateway.serviceName" -}}
{{- include "flink.componentName" (list . "sql-gateway") -}}
{{- end -}}

{{/* Name of the ConfigMap with config.yaml and log4j-console.properties. */}}
{{- define "flink.configMapName" -}}
{{- include "flink.componentName" (list . "config") -}}
{{- end -}}

{{/* Whether the application is suspended, job.state=suspended ("true" or ""): JobManagers and TaskManagers scale to zero. */}}
{{- define "flink.suspended" -}}
{{- if and (eq .Values.mode "application") (eq .Values.job.state "suspended") -}}true{{- end -}}
{{- end -}}

{{/* Whether Kubernetes HA is on ("true" or ""). */}}
{{- define "flink.kubernetesHA" -}}
{{- if and .Values.highAvailability.enabled (eq .Values.highAvailability.type "kubernetes") -}}true{{- end -}}
{{- end -}}

{{/* HA cluster id: highAvailability.clusterId or the full name. */}}
{{- define "flink.clusterId" -}}
{{- .Values.highAvailability.clusterId | default (include "flink.fullname" .) -}}
{{- end -}}

{{/* Seconds of a duration given as <number>s, <number>m or <number>h (the schema allows no other form). */}}
{{- define "flink.seconds" -}}
{{- $number := regexFind "^[0-9]+" . | int -}}
{{- $unit := trimPrefix (toString $number) . -}}
{{- mul $number (get (dict "s" 1 "m" 60 "h" 3600) $unit) -}}
{{- end -}}

{{/* Milliseconds of a Flink duration (a number of milliseconds, or a number and a unit such as 5 s or 1min); empty when it is not one. */}}
{{- define "flink.milliseconds" -}}
{{- $text := lower (toString .) | trim -}}
{{- $units := dict "" 1 "ms" 1 "milli" 1 "millis" 1 "millisecond" 1 "milliseconds" 1 "s" 1000 "sec" 1000 "secs" 1000 "second" 1000 "seconds" 1000 "m" 60000 "min" 60000 "minute" 60000 "minutes" 60000 "h" 3600000 "hour" 3600000 "hours" 3600000 "d" 86400000 "day" 86400000 "days" 86400000 -}}
{{- if regexMatch "^[0-9]+ *[a-z]*$" $text -}}
{{- $unit := regexFind "[a-z]*$" $text -}}
{{- if hasKey $units $unit }}{{ mul (regexFind "^[0-9]+" $text | int64) (get $units $unit) }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* Whole mebibytes of a Flink memory size (bytes, or a number and a unit such as 1536m or 2 gb); empty when it is not one. */}}
{{- define "flink.mebibytes" -}}
{{- $text := lower (toString .) | trim -}}
{{- $units := dict "" 1 "b" 1 "bytes" 1 "k" 1024 "kb" 1024 "kibibytes" 1024 "m" 1048576 "mb" 1048576 "mebibytes" 1048576 "g" 1073741824 "gb" 1073741824 "gibibytes" 1073741824 "t" 1099511627776 "tb" 1099511627776 "tebibytes" 1099511627776 -}}
{{- if and (ne $text "<nil>") (regexMatch "^[0-9]+ *[a-z]*$" $text) -}}
{{- $unit := regexFind "[a-z]*$" $text -}}
{{- if hasKey $units $unit }}{{ div (mul (regexFind "^[0-9]+" $text | int64) (get $units $unit)) 1048576 }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* Flink memory size from a Kubernetes quantity: 1536Mi -> 1536m, 2Gi -> 2g. */}}
{{- define "flink.flinkMemory" -}}
{{- . | trimSuffix "i" | lower -}}
{{- end -}}
