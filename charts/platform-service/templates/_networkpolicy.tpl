{{/*
platform-service.networkPolicy: default deny in both directions for the service's pods, then exactly what
values allow. A rule with an empty from/to list would allow every peer, so a rule whose peer list is empty is
left out instead: an empty list in values means "nobody", never "everybody".
*/}}
{{- define "platform-service.networkPolicy" -}}
{{- $values := .context.Values -}}
{{- $policy := $values.networkPolicy -}}
{{- if $policy.enabled -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "platform-service.selectorLabels" (dict "context" .context) | nindent 6 }}
  policyTypes:
    - Ingress
    - Egress
  ingress:
    {{- with $policy.ingress.grpcFrom }}
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: grpc
          protocol: TCP
        {{- if $values.dapr.enabled }}
        {{- /* Dapr service invocation arrives at the sidecar's internal gRPC port, not at the app. */}}
        - port: 50002
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- with $policy.ingress.httpFrom }}
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - port: http-metrics
          protocol: TCP
    {{- end }}
    {{- with $policy.ingress.monitoringNamespace }}
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ . }}
      ports:
        - port: http-metrics
          protocol: TCP
    {{- end }}
  egress:
    {{- if $policy.egress.dns.enabled }}
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $policy.egress.dns.namespace }}
          podSelector:
            matchLabels:
              {{- toYaml $policy.egress.dns.podLabels | nindent 14 }}
      ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    {{- end }}
    {{- if eq $values.bus.provider "Kafka" }}
    {{- include "platform-service.egressRule" (dict "context" .context "rule" $policy.egress.kafka) | trim | nindent 4 }}
    {{- end }}
    {{- if eq $values.state.provider "Redis" }}
    {{- include "platform-service.egressRule" (dict "context" .context "rule" $policy.egress.redis) | trim | nindent 4 }}
    {{- end }}
    {{- include "platform-service.egressRule" (dict "context" .context "rule" $policy.egress.platform) | trim | nindent 4 }}
    {{- range $policy.egress.externalSystems }}
    - to:
        {{- range .cidrs }}
        - ipBlock:
            cidr: {{ . }}
        {{- end }}
      ports:
        {{- range .ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
    {{- end }}
    {{- if $values.dapr.enabled }}
    {{- /* The sidecar needs the control plane (sentry for certificates, placement, operator); their ports change between Dapr releases, so the whole namespace is allowed. */}}
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: {{ $values.dapr.controlPlaneNamespace }}
    {{- end }}
    {{- with $policy.egress.extraRules }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}
{{- end -}}

{{/*
platform-service.egressRule: one egress rule from a {to, ports} value; nothing when either list is empty.
*/}}
{{- define "platform-service.egressRule" -}}
{{- if and .rule.to .rule.ports -}}
- to:
    {{- toYaml .rule.to | nindent 4 }}
  ports:
    {{- range .rule.ports }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
{{- end -}}
{{- end -}}
