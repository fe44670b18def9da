{{/*
platform-service.serviceAccount: the pods' own ServiceAccount when serviceAccount.create is true. Its token is
not mounted: the services never call the Kubernetes API, and a mounted token is a credential to steal.
*/}}
{{- define "platform-service.serviceAccount" -}}
{{- if .context.Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "platform-service.serviceAccountName" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
  {{- with .context.Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end -}}
{{- end -}}
