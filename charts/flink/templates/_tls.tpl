{{/* TLS endpoints: "internal" (RPC, blob, data) and "rest" (REST API, web UI), each from tls.<endpoint>. */}}
{{- define "flink.tls.endpoints" -}}internal rest{{- end -}}

{{/* Mount directory of an endpoint's keystores. Usage: include "flink.tls.dir" "rest". */}}
{{- define "flink.tls.dir" -}}/opt/flink/tls/{{ . }}{{- end -}}

{{/* Environment variable holding an endpoint's keystore password, which config.yaml references as ${VAR}. Usage: include "flink.tls.passwordVariable" "rest". */}}
{{- define "flink.tls.passwordVariable" -}}FLINK_TLS_{{ upper . }}_PASSWORD{{- end -}}

{{/* Secret with an endpoint's keystores: the chart's Certificate's, or tls.<endpoint>.existingSecret. Usage: include "flink.tls.secretName" (list . "rest"). */}}
{{- define "flink.tls.secretName" -}}
{{- $ctx := index . 0 -}}
{{- $endpoint := index . 1 -}}
{{- $tls := index $ctx.Values.tls $endpoint -}}
{{- if $tls.issuerRef.name -}}
{{- printf "%s-tls-%s" (include "flink.fullname" $ctx) $endpoint -}}
{{- else -}}
{{- $tls.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Flink configuration of the enabled endpoints; passwords as ${VAR} references the images' entrypoint expands from the environment. */}}
{{- define "flink.tls.config" -}}
{{- $c := dict -}}
{{- range $endpoint := splitList " " (include "flink.tls.endpoints" .) -}}
{{- $tls := index $.Values.tls $endpoint -}}
{{- if $tls.enabled -}}
{{- $prefix := printf "security.ssl.%s." $endpoint -}}
{{- $dir := include "flink.tls.dir" $endpoint -}}
{{- $password := printf "${%s}" (include "flink.tls.passwordVariable" $endpoint) -}}
{{- $_ := set $c (print $prefix "enabled") true -}}
{{- $_ := set $c (print $prefix "keystore") (printf "%s/keystore.p12" $dir) -}}
{{- $_ := set $c (print $prefix "truststore") (printf "%s/truststore.p12" $dir) -}}
{{- $_ := set $c (print $prefix "keystore-type") "PKCS12" -}}
{{- $_ := set $c (print $prefix "truststore-type") "PKCS12" -}}
{{- $_ := set $c (print $prefix "keystore-password") $password -}}
{{- $_ := set $c (print $prefix "key-password") $password -}}
{{- $_ := set $c (print $prefix "truststore-password") $password -}}
{{- if eq $endpoint "rest" -}}
{{- $_ := set $c "security.ssl.rest.authentication-enabled" $tls.mutualAuthentication -}}
{{- else -}}
{{- /* Internal connections authenticate with the one shared key pair, not host names (a certificate cannot name every pod IP). Flink 2.3's Netty 4.2 checks the host name of data connections by default (FLINK-40727), which breaks every exchange between TaskManagers; this restores Netty's former default. REST keeps its own setting (security.ssl.rest.verify-hostname). */ -}}
{{- $_ := set $c "env.java.default-opts.all" "-Dorg.apache.flink.shaded.netty4.io.netty.handler.ssl.defaultEndpointVerificationAlgorithm=NONE" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $c -}}
{{- end -}}

{{/* Volumes with the enabled endpoints' keystores. */}}
{{- define "flink.tls.volumes" -}}
{{- range $endpoint := splitList " " (include "flink.tls.endpoints" .) }}
{{- if (index $.Values.tls $endpoint).enabled }}
- name: tls-{{ $endpoint }}
  secret:
    secretName: {{ include "flink.tls.secretName" (list $ $endpoint) }}
    items:
      - key: keystore.p12
        path: keystore.p12
      - key: truststore.p12
        path: truststore.p12
{{- end }}
{{- end }}
{{- end -}}

{{/* Read-only mounts of the enabled endpoints' keystores. */}}
{{- define "flink.tls.volumeMounts" -}}
{{- range $endpoint := splitList " " (include "flink.tls.endpoints" .) }}
{{- if (index $.Values.tls $endpoint).enabled }}
- name: tls-{{ $endpoint }}
  mountPath: {{ include "flink.tls.dir" $endpoint }}
  readOnly: true
{{- end }}
{{- end }}
{{- end -}}

{{/* The enabled endpoints' keystore passwords, from the user's Secret. */}}
{{- define "flink.tls.env" -}}
{{- range $endpoint := splitList " " (include "flink.tls.endpoints" .) }}
{{- $tls := index $.Values.tls $endpoint }}
{{- if $tls.enabled }}
- name: {{ include "flink.tls.passwordVariable" $endpoint }}
  valueFrom:
    secretKeyRef:
      name: {{ $tls.password.existingSecret }}
      key: {{ $tls.password.key }}
{{- end }}
{{- end }}
{{- end -}}
