{{/*
platform-service.autoscaling: a HorizontalPodAutoscaler on CPU (autoscaling.mode hpa), a KEDA ScaledObject on
the Kafka lag of the service's consumer group (keda), or nothing (none). Never both: KEDA creates its own HPA for
the same Deployment, and two HPAs on one target fight over the replica count.
*/}}
{{- define "platform-service.autoscaling" -}}
{{- if eq .context.Values.autoscaling.mode "hpa" -}}
{{- include "platform-service.hpa" (dict "context" .context) -}}
{{- else if eq .context.Values.autoscaling.mode "keda" -}}
{{- include "platform-service.scaledObject" (dict "context" .context) -}}
{{- end -}}
{{- end -}}

{{/*
platform-service.hpa: CPU-based HorizontalPodAutoscaler. Scale-down waits scaleDownStabilizationSeconds so a
short lull does not shed the replicas a returning burst needs.
*/}}
{{- define "platform-service.hpa" -}}
{{- $autoscaling := .context.Values.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "platform-service.fullname" (dict "context" .context) }}
  minReplicas: {{ $autoscaling.minReplicas }}
  maxReplicas: {{ $autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $autoscaling.hpa.targetCPUUtilizationPercentage }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: {{ $autoscaling.hpa.scaleDownStabilizationSeconds }}
{{- end -}}

{{/*
platform-service.scaledObject: KEDA ScaledObject with one Kafka trigger per consumed topic, all for the
service's own consumer group (its name is the service name). The group's retry topic is left out on purpose:
events wait there by design, and scaling on that wait would add pods that cannot make it shorter.
*/}}
{{- define "platform-service.scaledObject" -}}
{{- $values := .context.Values -}}
{{- $keda := $values.autoscaling.keda -}}
{{- if ne $values.bus.provider "Kafka" -}}
{{- fail "autoscaling.mode keda scales on Kafka consumer lag and needs bus.provider Kafka" -}}
{{- end -}}
{{- if not $keda.topics -}}
{{- fail "autoscaling.mode keda needs autoscaling.keda.topics: the topics this service's consumer group reads" -}}
{{- end -}}
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "platform-service.fullname" (dict "context" .context) }}
  minReplicaCount: {{ $values.autoscaling.minReplicas }}
  maxReplicaCount: {{ $values.autoscaling.maxReplicas }}
  pollingInterval: {{ $keda.pollingInterval }}
  cooldownPeriod: {{ $keda.cooldownPeriod }}
  triggers:
    {{- range $keda.topics }}
    - type: kafka
      metadata:
        bootstrapServers: {{ $values.bus.kafka.bootstrapServers | quote }}
        consumerGroup: {{ default $values.serviceName $keda.consumerGroup | quote }}
        topic: {{ . | quote }}
        lagThreshold: {{ $keda.lagThreshold | int | toString | quote }}
        activationLagThreshold: {{ $keda.activationLagThreshold | int | toString | quote }}
        offsetResetPolicy: {{ $keda.offsetResetPolicy | quote }}
      {{- with $keda.authenticationRef }}
      authenticationRef:
        name: {{ . }}
      {{- end }}
    {{- end }}
{{- end -}}
