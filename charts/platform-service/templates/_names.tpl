{{/*
Names and labels. Every helper of this library takes a dict whose "context" is the calling chart's root
context, so that .Values, .Release, .Chart and .Files are the service chart's, not the library's:

  {{ include "platform-service.fullname" (dict "context" $) }}
*/}}

{{/*
platform-service.name: the chart name, or nameOverride. It is part of the selector, which Kubernetes never lets
change on a Deployment: changing it after the first install needs a delete and reinstall.
*/}}
{{- define "platform-service.name" -}}
{{- default .context.Chart.Name .context.Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
platform-service.fullname: the name of every resource of the release. The release name alone when it already
contains the chart name (release "order" of chart "order" gives "order", not "order-order").
*/}}
{{- define "platform-service.fullname" -}}
{{- if .context.Values.fullnameOverride -}}
{{- .context.Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "platform-service.name" (dict "context" .context) -}}
{{- if contains $name .context.Release.Name -}}
{{- .context.Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .context.Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
platform-service.chart: chart name and version for the helm.sh/chart label.
*/}}
{{- define "platform-service.chart" -}}
{{- printf "%s-%s" .context.Chart.Name .context.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
platform-service.selectorLabels: the only labels any selector of this library uses. Both are fixed for the life
of a release; a label that changes on upgrade (version, chart) in a Deployment selector makes the upgrade fail,
and in a Service or NetworkPolicy selector silently matches nothing.
*/}}
{{- define "platform-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "platform-service.name" (dict "context" .context) }}
app.kubernetes.io/instance: {{ .context.Release.Name | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{/*
platform-service.labels: the standard app.kubernetes.io labels on every resource and pod.
*/}}
{{- define "platform-service.labels" -}}
helm.sh/chart: {{ include "platform-service.chart" (dict "context" .context) }}
{{ include "platform-service.selectorLabels" (dict "context" .context) }}
app.kubernetes.io/version: {{ include "platform-service.version" (dict "context" .context) | quote }}
app.kubernetes.io/component: {{ .context.Values.serviceName }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/managed-by: {{ .context.Release.Service }}
{{- end -}}

{{/*
platform-service.version: the running version for the app.kubernetes.io/version label: the image tag, or the
chart's appVersion when the tag is empty. A digest is not a valid label value, so a digest-only image reports
the appVersion.
*/}}
{{- define "platform-service.version" -}}
{{- default .context.Chart.AppVersion .context.Values.image.tag | trunc 63 | trimSuffix "-" | trimSuffix "." -}}
{{- end -}}

{{/*
platform-service.image: registry/repository:tag, or registry/repository@digest when a digest is set.
global.imageRegistry lets the umbrella point every service at one registry.
*/}}
{{- define "platform-service.image" -}}
{{- $image := .context.Values.image -}}
{{- $global := default dict .context.Values.global -}}
{{- $repository := $image.repository -}}
{{- with $global.imageRegistry -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .) $image.repository -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (default .context.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
platform-service.serviceAccountName: the ServiceAccount the pods run as.
*/}}
{{- define "platform-service.serviceAccountName" -}}
{{- if .context.Values.serviceAccount.create -}}
{{- default (include "platform-service.fullname" (dict "context" .context)) .context.Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .context.Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
