{{/* Chart name. */}}
{{- define "densecl-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "densecl-operator.fullname" -}}
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

{{- define "densecl-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "densecl-operator.labels" -}}
helm.sh/chart: {{ include "densecl-operator.chart" . }}
{{ include "densecl-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: densecl
{{- end }}

{{/* Selector labels of the operator pods (also the NetworkPolicy peer of trainer pods). */}}
{{- define "densecl-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "densecl-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "densecl-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "densecl-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* "true" when leader election is on. */}}
{{- define "densecl-operator.leaderElection" -}}
{{- $le := .Values.leaderElection.enabled | toString }}
{{- if eq $le "auto" }}
{{- if gt (int .Values.replicaCount) 1 }}true{{ else }}false{{ end }}
{{- else if eq $le "true" }}true
{{- else }}false
{{- end }}
{{- end }}

{{- define "densecl-operator.leaseName" -}}
{{- default (printf "%s-leader" (include "densecl-operator.fullname" .)) .Values.leaderElection.leaseName | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Namespaces that get a trainer NetworkPolicy. */}}
{{- define "densecl-operator.trainerNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- toJson .Values.watchNamespaces }}
{{- else if .Values.networkPolicy.trainerNamespaces }}
{{- toJson .Values.networkPolicy.trainerNamespaces }}
{{- else }}
{{- toJson (list .Release.Namespace) }}
{{- end }}
{{- end }}

{{/*
The operator's rules on the resources it manages in the watched namespaces. Shared by the ClusterRole
(all namespaces) and the per-namespace Roles. Exactly the rules the Quarkus build generates
(operator/target/kubernetes/kubernetes.yml; deploy-tests ChartRbacMatchesGeneratedTest compares them): the
primary-resource rule is quarkus-operator-sdk's fixed verb list, the rest are the reconciler's @RBACRule
annotations. No secrets, no pods/exec, no pods/log, no delete or patch of claims and ConfigMaps.
*/}}
{{- define "densecl-operator.managedRules" -}}
- apiGroups: ["densecl.io"]
  resources: ["denseclruns", "denseclruns/status", "denseclruns/finalizers"]
  verbs: ["get", "list", "watch", "patch", "update", "create", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch", "create", "delete"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["get", "list", "watch", "create"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "create"]
{{- end }}

{{/* "<imageRegistry>/<repository>" (just the repository when imageRegistry is empty). Argument: (list $ repository). */}}
{{- define "densecl-operator.imageRepository" -}}
{{- $root := index . 0 }}{{- $repo := index . 1 }}
{{- with $root.Values.imageRegistry }}{{ trimSuffix "/" . }}/{{ end }}{{ $repo }}
{{- end }}

{{/* The operator image reference. */}}
{{- define "densecl-operator.image" -}}
{{ include "densecl-operator.imageRepository" (list . .Values.image.repository) }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* The default trainer image reference. */}}
{{- define "densecl-operator.trainerImage" -}}
{{ include "densecl-operator.imageRepository" (list . .Values.trainer.image.repository) }}:{{ .Values.trainer.image.tag }}
{{- end }}

{{/* admissionPolicy.allowedNodeSelectors as "key=v1|v2, key2=*" for messages. */}}
{{- define "densecl-operator.allowedNodeSelectorsText" -}}
{{- $parts := list }}
{{- range $k, $v := . }}
{{- $parts = append $parts (printf "%s=%s" $k (ternary "*" (join "|" $v) (empty $v))) }}
{{- end }}
{{- join ", " $parts }}
{{- end }}
