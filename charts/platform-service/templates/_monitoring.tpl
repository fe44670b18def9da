{{/*
platform-service.serviceMonitor: Prometheus Operator ServiceMonitor for /metrics on the HTTP port. jobLabel
makes the job label the app.kubernetes.io/name of the Service ("order"), whatever the release is called, so
the chart's alert rules can select job="order".
*/}}
{{- define "platform-service.serviceMonitor" -}}
{{- $monitor := .context.Values.serviceMonitor -}}
{{- if $monitor.enabled -}}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
    {{- with $monitor.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  jobLabel: app.kubernetes.io/name
  namespaceSelector:
    matchNames:
      - {{ .context.Release.Namespace }}
  selector:
    matchLabels:
      {{- include "platform-service.selectorLabels" (dict "context" .context) | nindent 6 }}
  endpoints:
    - port: http-metrics
      path: /metrics
      scheme: http
      interval: {{ $monitor.interval }}
      scrapeTimeout: {{ $monitor.scrapeTimeout }}
{{- end -}}
{{- end -}}

{{/*
platform-service.prometheusRule: the service's alerts: the groups in the service chart's
files/prometheus-rules.yaml (when prometheusRule.includeChartRules) followed by prometheusRule.groups. The file
is a plain Prometheus rule file, so promtool checks and tests it as it is; it is not passed through tpl, which
would try to expand the {{ $labels }} of the alert annotations. Nothing is rendered when there is no rule.
*/}}
{{- define "platform-service.prometheusRule" -}}
{{- $rule := .context.Values.prometheusRule -}}
{{- if $rule.enabled -}}
{{- $groups := list -}}
{{- if $rule.includeChartRules -}}
{{- $file := .context.Files.Get "files/prometheus-rules.yaml" | fromYaml -}}
{{- with $file.groups -}}
{{- $groups = concat $groups . -}}
{{- end -}}
{{- end -}}
{{- with $rule.groups -}}
{{- $groups = concat $groups . -}}
{{- end -}}
{{- if $groups -}}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
    {{- with $rule.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  groups:
    {{- toYaml $groups | nindent 4 }}
{{- end -}}
{{- end -}}
{{- end -}}
