{{/*
platform-service.podDisruptionBudget: limits how many pods a node drain may take down at once. Unhealthy pods
may always be evicted, so a crash-looping pod never blocks a drain.
*/}}
{{- define "platform-service.podDisruptionBudget" -}}
{{- if .context.Values.podDisruptionBudget.enabled -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
spec:
  maxUnavailable: {{ .context.Values.podDisruptionBudget.maxUnavailable }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "platform-service.selectorLabels" (dict "context" .context) | nindent 6 }}
{{- end -}}
{{- end -}}
