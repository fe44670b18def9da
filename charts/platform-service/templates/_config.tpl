{{/*
Configuration. The services read ASP.NET Core configuration, where an environment variable
Platform__Bus__Provider is the key Platform:Bus:Provider. Non-secret settings live in the ConfigMap (so a change
rolls the pods through the checksum/config annotation) and reach the container as env entries with
configMapKeyRef; secrets never pass through values or the ConfigMap: the pod reads them with secretKeyRef from
Secrets that already exist.
*/}}

{{/*
platform-service.ownershipPolicy: the ownership policy file content in force, or nothing. The service's own
ownership.policy wins over global.ownership.policy.
*/}}
{{- define "platform-service.ownershipPolicy" -}}
{{- $global := default dict .context.Values.global -}}
{{- $globalOwnership := default dict $global.ownership -}}
{{- default $globalOwnership.policy .context.Values.ownership.policy -}}
{{- end -}}

{{/*
platform-service.ownershipPolicyPath: where the policy file is mounted; Platform__Ownership__PolicyPath points
here. A directory mount (not subPath) so that the file is a plain read of a ConfigMap volume.
*/}}
{{- define "platform-service.ownershipPolicyPath" -}}
/etc/platform/ownership/ownership-policy.yaml
{{- end -}}

{{/*
platform-service.settings: every non-secret setting as "ENV_NAME: \"value\"" lines, sorted by the caller.
Values are quoted because ConfigMap data must be strings (an unquoted port would be an integer).
*/}}
{{- define "platform-service.settings" -}}
{{- $values := .context.Values -}}
{{- $global := default dict $values.global -}}
{{- $globalOwnership := default dict $global.ownership -}}
Platform__Hosting__GrpcPort: {{ $values.ports.grpc | int | toString | quote }}
Platform__Hosting__HttpPort: {{ $values.ports.http | int | toString | quote }}
Platform__Hosting__BindAddress: "0.0.0.0"
Platform__Bus__Provider: {{ $values.bus.provider | quote }}
{{- if eq $values.bus.provider "Kafka" }}
Platform__Bus__Kafka__BootstrapServers: {{ required "bus.kafka.bootstrapServers is required when bus.provider is Kafka" $values.bus.kafka.bootstrapServers | quote }}
Platform__Bus__Kafka__ClientId: {{ $values.serviceName | quote }}
{{- with $values.bus.kafka.securityProtocol }}
Platform__Bus__Kafka__ClientSettings__security.protocol: {{ . | quote }}
{{- end }}
{{- if $values.bus.kafka.sasl.existingSecret }}
Platform__Bus__Kafka__ClientSettings__sasl.mechanism: {{ required "bus.kafka.sasl.mechanism is required when bus.kafka.sasl.existingSecret is set" $values.bus.kafka.sasl.mechanism | quote }}
{{- end }}
{{- end }}
Platform__State__Provider: {{ $values.state.provider | quote }}
{{- if include "platform-service.ownershipPolicy" (dict "context" .context) }}
Platform__Ownership__PolicyPath: {{ include "platform-service.ownershipPolicyPath" (dict "context" .context) | quote }}
{{- else }}
{{- with (default $globalOwnership.builtInPolicy $values.ownership.builtInPolicy) }}
Platform__Ownership__BuiltInPolicy: {{ . | quote }}
{{- end }}
{{- end }}
{{- range $index, $apiKey := $values.auth.apiKeys.keys }}
Platform__Auth__ApiKeys__{{ $index }}__Name: {{ $apiKey.name | quote }}
{{- range $scopeIndex, $scope := $apiKey.scopes }}
Platform__Auth__ApiKeys__{{ $index }}__Scopes__{{ $scopeIndex }}: {{ $scope | quote }}
{{- end }}
{{- end }}
{{- with $values.auth.jwt.authority }}
Platform__Auth__Jwt__Authority: {{ . | quote }}
Platform__Auth__Jwt__Audience: {{ required "auth.jwt.audience is required when auth.jwt.authority is set" $values.auth.jwt.audience | quote }}
{{- end }}
{{- range $key, $value := $values.settings }}
{{ $key | replace ":" "__" }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/*
platform-service.settingsEnv: the container env entries that read each setting from the ConfigMap.
*/}}
{{- define "platform-service.settingsEnv" -}}
{{- $configMapName := include "platform-service.fullname" (dict "context" .context) -}}
{{- $settings := include "platform-service.settings" (dict "context" .context) | fromYaml -}}
{{- range $name, $_ := $settings }}
- name: {{ $name }}
  valueFrom:
    configMapKeyRef:
      name: {{ $configMapName }}
      key: {{ $name }}
{{- end }}
{{- end -}}

{{/*
platform-service.secretEnv: the container env entries read from existing Secrets: the Redis connection string,
Kafka SASL credentials, API key hashes and any secretEnv entries. Only names and keys appear here.
*/}}
{{- define "platform-service.secretEnv" -}}
{{- $values := .context.Values -}}
{{- if eq $values.state.provider "Redis" }}
- name: Platform__State__Redis__ConnectionString
  valueFrom:
    secretKeyRef:
      name: {{ required "state.redis.existingSecret is required when state.provider is Redis" $values.state.redis.existingSecret | quote }}
      key: {{ $values.state.redis.connectionStringKey | quote }}
{{- end }}
{{- if and (eq $values.bus.provider "Kafka") $values.bus.kafka.sasl.existingSecret }}
- name: Platform__Bus__Kafka__ClientSettings__sasl.username
  valueFrom:
    secretKeyRef:
      name: {{ $values.bus.kafka.sasl.existingSecret | quote }}
      key: {{ $values.bus.kafka.sasl.usernameKey | quote }}
- name: Platform__Bus__Kafka__ClientSettings__sasl.password
  valueFrom:
    secretKeyRef:
      name: {{ $values.bus.kafka.sasl.existingSecret | quote }}
      key: {{ $values.bus.kafka.sasl.passwordKey | quote }}
{{- end }}
{{- range $index, $apiKey := $values.auth.apiKeys.keys }}
- name: Platform__Auth__ApiKeys__{{ $index }}__KeyHash
  valueFrom:
    secretKeyRef:
      name: {{ required "auth.apiKeys.existingSecret is required when auth.apiKeys.keys is not empty" $values.auth.apiKeys.existingSecret | quote }}
      key: {{ $apiKey.keyHashKey | quote }}
{{- end }}
{{- range $values.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .key | quote }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/*
platform-service.configmap: the ConfigMap with the settings and, when one is given, the ownership policy file.
*/}}
{{- define "platform-service.configmap" -}}
{{- $policy := include "platform-service.ownershipPolicy" (dict "context" .context) -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "platform-service.fullname" (dict "context" .context) }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
data:
  {{- include "platform-service.settings" (dict "context" .context) | nindent 2 }}
  {{- with $policy }}
  ownership-policy.yaml: |
    {{- . | nindent 4 }}
  {{- end }}
{{- end -}}
