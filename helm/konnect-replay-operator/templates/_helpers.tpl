{{/* Chart name, overridable. */}}
{{- define "konnect-replay-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the release name when it already contains the chart name. */}}
{{- define "konnect-replay-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "konnect-replay-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "konnect-replay-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "konnect-replay-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "konnect-replay-operator.labels" -}}
helm.sh/chart: {{ include "konnect-replay-operator.chart" . }}
{{ include "konnect-replay-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "konnect-replay-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "konnect-replay-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest when image.digest is set (the tag is then ignored), else repository:tag. */}}
{{- define "konnect-replay-operator.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
What the operator does against the Kubernetes API, and nothing more: read its resources, write
their status, read the token Secrets, record events. Shared by the ClusterRole and the
per-namespace Roles.
*/}}
{{- define "konnect-replay-operator.rules" -}}
- apiGroups: ["konnectreplay.io"]
  resources: ["auditlogreplayjobs"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["konnectreplay.io"]
  resources: ["auditlogreplayjobs/status"]
  verbs: ["get", "update", "patch"]
# A policy creates its replays and deletes its finished ones beyond the history limits.
- apiGroups: ["konnectreplay.io"]
  resources: ["auditlogreplayjobs"]
  verbs: ["create", "delete"]
- apiGroups: ["konnectreplay.io"]
  resources: ["auditlogreplaypolicies"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["konnectreplay.io"]
  resources: ["auditlogreplaypolicies/status"]
  verbs: ["get", "update", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* PromQL label matchers that select this release's scrape targets, for the alert rules. */}}
{{- define "konnect-replay-operator.alertSelector" -}}
{{- default (printf "job=%q,namespace=%q" (include "konnect-replay-operator.fullname" .) .Release.Namespace) .Values.metrics.prometheusRule.selector }}
{{- end }}
