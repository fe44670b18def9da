{{/*
platform-service.all: every resource of a platform service, in one call. A service chart's only template is

  {{ include "platform-service.all" (dict "context" $) }}

Resources switched off by values render as nothing; Helm drops the empty documents.
*/}}
{{- define "platform-service.all" -}}
{{- include "platform-service.validate" (dict "context" .context) }}
---
{{ include "platform-service.serviceAccount" (dict "context" .context) }}
---
{{ include "platform-service.configmap" (dict "context" .context) }}
---
{{ include "platform-service.deployment" (dict "context" .context) }}
---
{{ include "platform-service.service" (dict "context" .context) }}
---
{{ include "platform-service.autoscaling" (dict "context" .context) }}
---
{{ include "platform-service.podDisruptionBudget" (dict "context" .context) }}
---
{{ include "platform-service.serviceMonitor" (dict "context" .context) }}
---
{{ include "platform-service.prometheusRule" (dict "context" .context) }}
---
{{ include "platform-service.networkPolicy" (dict "context" .context) }}
{{- end -}}

{{/*
platform-service.validate: checks that values.schema.json cannot express across sections; renders nothing and
fails the render with a message naming the values to fix.
*/}}
{{- define "platform-service.validate" -}}
{{- $values := .context.Values -}}
{{- if not $values.serviceName -}}
{{- fail "serviceName is required: the platform service this chart deploys (catalog, inventory, order, customer, tracking, sandbox)" -}}
{{- end -}}
{{- if eq (int $values.ports.grpc) (int $values.ports.http) -}}
{{- fail (printf "ports.grpc and ports.http must differ (both are %d)" (int $values.ports.grpc)) -}}
{{- end -}}
{{- if and (ne $values.autoscaling.mode "none") (gt (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) -}}
{{- fail (printf "autoscaling.minReplicas (%d) must not exceed autoscaling.maxReplicas (%d)" (int $values.autoscaling.minReplicas) (int $values.autoscaling.maxReplicas)) -}}
{{- end -}}
{{- $inMemory := or (eq $values.state.provider "InMemory") (eq $values.bus.provider "InMemory") -}}
{{- if and $inMemory (or (ne $values.autoscaling.mode "none") (gt (int $values.replicaCount) 1)) -}}
{{- fail "bus.provider or state.provider InMemory keeps events and state inside one pod: use autoscaling.mode none and replicaCount 1, or Kafka and Redis" -}}
{{- end -}}
{{- end -}}
