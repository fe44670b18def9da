{{/*
platform-service.service: the Service with the gRPC and the HTTP (metrics, health, webhooks) ports.
appProtocol kubernetes.io/h2c tells meshes and gateways that the gRPC port speaks HTTP/2 without TLS.
*/}}
{{- define "platform-service.service" -}}
{{- $values := .context.Values -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
  {{- with $values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $values.service.type }}
  selector:
    {{- include "platform-service.selectorLabels" (dict "context" .context) | nindent 4 }}
  ports:
    - name: grpc
      port: {{ $values.ports.grpc }}
      targetPort: grpc
      protocol: TCP
      appProtocol: kubernetes.io/h2c
    - name: http-metrics
      port: {{ $values.ports.http }}
      targetPort: http-metrics
      protocol: TCP
      appProtocol: http
{{- end -}}
