{{/*
platform-service.deployment: the service's Deployment.

- Probes use the gRPC health protocol on the gRPC port (health services "liveness" and "readiness" of
  Platform.Hosting). Kubernetes gRPC probes take a port number, not a port name.
- The security context is not configurable beyond user and group ids: non-root, read-only root filesystem,
  no privilege escalation, every capability dropped, RuntimeDefault seccomp. /tmp is an emptyDir because the
  .NET runtime writes its diagnostics sockets there.
- checksum/config changes whenever the ConfigMap does, so a configuration change rolls the pods.
- With an autoscaler (hpa or keda) replicas is left out, so an upgrade never resets the autoscaler's count.
*/}}
{{- define "platform-service.deployment" -}}
{{- $values := .context.Values -}}
{{- $fullname := include "platform-service.fullname" (dict "context" .context) -}}
{{- $policy := include "platform-service.ownershipPolicy" (dict "context" .context) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $fullname }}
  namespace: {{ .context.Release.Namespace }}
  labels:
    {{- include "platform-service.labels" (dict "context" .context) | nindent 4 }}
spec:
  {{- if eq $values.autoscaling.mode "none" }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ $values.revisionHistoryLimit }}
  selector:
    matchLabels:
      {{- include "platform-service.selectorLabels" (dict "context" .context) | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "platform-service.labels" (dict "context" .context) | nindent 8 }}
        {{- with $values.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        checksum/config: {{ include "platform-service.configmap" (dict "context" .context) | sha256sum }}
        {{- if $values.dapr.enabled }}
        {{- include "platform-service.daprAnnotations" (dict "context" .context) | nindent 8 }}
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "platform-service.serviceAccountName" (dict "context" .context) }}
      automountServiceAccountToken: false
      {{- with $values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      securityContext:
        runAsNonRoot: true
        runAsUser: {{ $values.podSecurityContext.runAsUser }}
        runAsGroup: {{ $values.podSecurityContext.runAsGroup }}
        fsGroup: {{ $values.podSecurityContext.fsGroup }}
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {{ $values.serviceName }}
          image: {{ include "platform-service.image" (dict "context" .context) | quote }}
          imagePullPolicy: {{ $values.image.pullPolicy }}
          ports:
            - name: grpc
              containerPort: {{ $values.ports.grpc }}
              protocol: TCP
            - name: http-metrics
              containerPort: {{ $values.ports.http }}
              protocol: TCP
          env:
            {{- include "platform-service.settingsEnv" (dict "context" .context) | trim | nindent 12 }}
            {{- include "platform-service.secretEnv" (dict "context" .context) | trim | nindent 12 }}
          startupProbe:
            grpc:
              port: {{ $values.ports.grpc }}
              service: liveness
            {{- include "platform-service.probeTiming" (dict "context" .context "probe" $values.probes.startup) | trim | nindent 12 }}
          livenessProbe:
            grpc:
              port: {{ $values.ports.grpc }}
              service: liveness
            {{- include "platform-service.probeTiming" (dict "context" .context "probe" $values.probes.liveness) | trim | nindent 12 }}
          readinessProbe:
            grpc:
              port: {{ $values.ports.grpc }}
              service: readiness
            {{- include "platform-service.probeTiming" (dict "context" .context "probe" $values.probes.readiness) | trim | nindent 12 }}
          {{- with $values.resources }}
          resources:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $policy }}
            - name: ownership-policy
              mountPath: {{ include "platform-service.ownershipPolicyPath" (dict "context" .context) | dir }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $values.tmpSizeLimit }}
        {{- if $policy }}
        - name: ownership-policy
          configMap:
            name: {{ $fullname }}
            items:
              - key: ownership-policy.yaml
                path: {{ include "platform-service.ownershipPolicyPath" (dict "context" .context) | base }}
        {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}

{{/*
platform-service.probeTiming: the timing fields of one probe from probes.<kind>; unset fields keep the
Kubernetes defaults.
*/}}
{{- define "platform-service.probeTiming" -}}
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
{{- with .probe.periodSeconds }}
periodSeconds: {{ . }}
{{- end }}
{{- with .probe.timeoutSeconds }}
timeoutSeconds: {{ . }}
{{- end }}
{{- with .probe.failureThreshold }}
failureThreshold: {{ . }}
{{- end }}
{{- end -}}

{{/*
platform-service.daprAnnotations: the Dapr sidecar annotations. The app talks gRPC, so the sidecar calls the
gRPC port.
*/}}
{{- define "platform-service.daprAnnotations" -}}
{{- $values := .context.Values -}}
dapr.io/enabled: "true"
dapr.io/app-id: {{ default $values.serviceName $values.dapr.appId | quote }}
dapr.io/app-port: {{ $values.ports.grpc | int | toString | quote }}
dapr.io/app-protocol: "grpc"
{{- with $values.dapr.config }}
dapr.io/config: {{ . | quote }}
{{- end }}
dapr.io/log-as-json: "true"
{{- end -}}
