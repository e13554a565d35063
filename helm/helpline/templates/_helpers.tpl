{{/* The release's base name (45 characters at most: a StatefulSet's name must leave room for
its pods' controller-revision-hash label). */}}
{{- define "helpline.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 45 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 45 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "helpline.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component (`shards`, `proxy`): pass (list $ "component"). */}}
{{- define "helpline.selector" -}}
{{- $ := index . 0 -}}
app.kubernetes.io/name: {{ $.Chart.Name }}
app.kubernetes.io/instance: {{ $.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "helpline.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The port of a `host:port` listen setting. */}}
{{- define "helpline.port" -}}
{{- splitList ":" . | last -}}
{{- end -}}

{{/* A TOML value: strings quoted, numbers as integers, booleans as they are. */}}
{{- define "helpline.toml" -}}
{{- if kindIs "string" . -}}
{{ toJson . }}
{{- else if kindIs "bool" . -}}
{{ . }}
{{- else -}}
{{ . | int64 }}
{{- end -}}
{{- end -}}

{{/* The environment of the secret settings a component reads, each from its Secret when
named: pass (list $ "component"). The panel's secrets go to the panel only, and the panel gets
what it reads (the token, the store's); the shards and the proxy get the others. */}}
{{- define "helpline.secretEnv" -}}
{{- $ := index . 0 -}}
{{- $panel := eq (index . 1) "panel" -}}
{{- $names := dict "discord.token" "DISCORD_TOKEN" "cluster.redis_url" "HELPLINE_CLUSTER_REDIS_URL" "store.encryption_keys" "HELPLINE_STORE_ENCRYPTION_KEYS" "store.scylla_password" "HELPLINE_STORE_SCYLLA_PASSWORD" "panel.client_secret" "HELPLINE_PANEL_CLIENT_SECRET" "panel.session_key" "HELPLINE_PANEL_SESSION_KEY" -}}
{{- $panelReads := list "discord.token" "store.encryption_keys" "store.scylla_password" -}}
{{- range $setting, $ref := $.Values.secrets }}
{{- $ours := hasPrefix "panel." $setting }}
{{- $read := ternary (or $ours (has $setting $panelReads)) (not $ours) $panel }}
{{- if and $ref.name $read }}
- name: {{ required (printf "secrets[%q] is not a setting the chart knows" $setting) (get $names $setting) }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The settings file (helpline.toml): the values' `settings`, with what the chart knows
filled in where a value is null (the proxy's Service, the panel's Ingress host, the mounted
ScyllaDB CA). */}}
{{- define "helpline.settingsToml" -}}
# Rendered by the chart from its values' `settings`; secrets come from the environment.
{{- $settings := deepCopy .Values.settings }}
{{- if and .Values.proxy.enabled (kindIs "invalid" $settings.discord.rest_proxy) }}
{{- $_ := set $settings.discord "rest_proxy" (printf "http://%s-proxy:%s" (include "helpline.fullname" .) (include "helpline.port" .Values.settings.proxy.listen)) }}
{{- end }}
{{- if and .Values.panel.ingress.enabled .Values.panel.ingress.host (kindIs "invalid" $settings.panel.public_url) }}
{{- $_ := set $settings.panel "public_url" (printf "https://%s" .Values.panel.ingress.host) }}
{{- end }}
{{- if and .Values.scyllaCa.secretName (kindIs "invalid" $settings.store.scylla_tls_ca_file) }}
{{- $_ := set $settings.store "scylla_tls_ca_file" (printf "%s/%s" (include "helpline.scyllaCaDir" .) .Values.scyllaCa.key) }}
{{- end }}
{{- range $section, $keys := $settings }}
[{{ $section }}]
{{- range $key, $value := $keys }}
{{- if not (kindIs "invalid" $value) }}
{{ $key }} = {{ include "helpline.toml" $value }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Where the ScyllaDB CA Secret is mounted. */}}
{{- define "helpline.scyllaCaDir" -}}
/etc/helpline-scylla-ca
{{- end -}}

{{/* What every process mounts: the settings file, and /tmp (the root is read-only). */}}
{{- define "helpline.commonEnv" -}}
- name: HELPLINE_CONFIG
  value: /etc/helpline/helpline.toml
{{- end -}}

{{/* A shard process's name: the value when set, else its pod's (HOSTNAME would win over the
settings file, so the name is always given here). */}}
{{- define "helpline.processName" -}}
- name: HELPLINE_CLUSTER_PROCESS_NAME
{{- if .Values.settings.cluster.process_name }}
  value: {{ .Values.settings.cluster.process_name | quote }}
{{- else }}
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end }}
{{- end -}}

{{/* The checks a release must pass before anything is created. */}}
{{- define "helpline.validate" -}}
{{- $redis := (index .Values.secrets "cluster.redis_url").name -}}
{{- if and (ne (toString .Values.settings.discord.shard_range) "all") (gt (int .Values.shards.replicas) 1) -}}
{{- fail "settings.discord.shard_range runs a range whole in one process: give each range a release of one shard pod (shards.replicas: 1), or balance every shard with shard_range: all" -}}
{{- end -}}
{{- if and (eq .Values.settings.store.backend "sqlite") (gt (int .Values.shards.replicas) 1) -}}
{{- fail "shards.replicas above 1 needs a shared store: the sqlite backend keeps tickets in one pod's file" -}}
{{- end -}}
{{- if and (gt (int .Values.shards.replicas) 1) (not $redis) -}}
{{- fail "shards.replicas above 1 needs secrets[\"cluster.redis_url\"]: the processes share the shards through Redis" -}}
{{- end -}}
{{- if and .Values.proxy.enabled (gt (int .Values.proxy.replicas) 1) (not $redis) -}}
{{- fail "proxy.replicas above 1 needs secrets[\"cluster.redis_url\"]: the replicas share one budget through Redis" -}}
{{- end -}}
{{- if gt (mul (int .Values.settings.cluster.renew_interval_ms) 3) (int .Values.settings.cluster.lease_ttl_ms) -}}
{{- fail "settings.cluster.renew_interval_ms is at most a third of lease_ttl_ms: a lease is renewed three times before it ends" -}}
{{- end -}}
{{- if and .Values.operator.enabled (ne (toString .Values.settings.discord.shard_range) "all") -}}
{{- fail "operator.enabled needs settings.discord.shard_range all: the operator publishes a shard count every shard pod shares" -}}
{{- end -}}
{{- if .Values.interactions.enabled -}}
{{- if kindIs "invalid" .Values.settings.interactions.listen -}}
{{- fail "interactions.enabled needs settings.interactions.listen: where the interactions pods serve POST /interactions, such as 0.0.0.0:8443" -}}
{{- end -}}
{{- if eq .Values.settings.store.backend "sqlite" -}}
{{- fail "interactions.enabled needs settings.store.backend scylla: on sqlite the tickets are in a file on the shard pod's own volume, which an interactions pod cannot open" -}}
{{- end -}}
{{- if eq (include "helpline.port" .Values.settings.interactions.listen) (include "helpline.port" .Values.settings.metrics.listen) -}}
{{- fail "settings.interactions.listen and settings.metrics.listen need different ports: the interactions pods serve both" -}}
{{- end -}}
{{- end -}}
{{- if .Values.panel.enabled -}}
{{- if eq .Values.settings.store.backend "sqlite" -}}
{{- fail "panel.enabled needs settings.store.backend scylla: on sqlite the tickets are in a file on the shard pod's own volume, which a panel pod cannot open (on one machine, run `helpline panel` beside `helpline run` as the README says)" -}}
{{- end -}}
{{- if and (kindIs "invalid" .Values.settings.panel.public_url) (not (and .Values.panel.ingress.enabled .Values.panel.ingress.host)) -}}
{{- fail "panel.enabled needs settings.panel.public_url (or panel.ingress.host): the address users reach the panel at, such as https://panel.example.com" -}}
{{- end -}}
{{- if kindIs "invalid" .Values.settings.panel.client_id -}}
{{- fail "panel.enabled needs settings.panel.client_id: the Discord application's id, as a string" -}}
{{- end -}}
{{- range $secret := list "panel.client_secret" "panel.session_key" -}}
{{- if not (index $.Values.secrets $secret).name -}}
{{- fail (printf "panel.enabled needs secrets[%q].name: the Secret holding it" $secret) -}}
{{- end -}}
{{- end -}}
{{- if eq (include "helpline.port" .Values.settings.panel.listen) (include "helpline.port" .Values.settings.metrics.listen) -}}
{{- fail "settings.panel.listen and settings.metrics.listen need different ports: the panel's pods serve both" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.panel.ingress.enabled (not .Values.panel.ingress.host) -}}
{{- fail "panel.ingress.enabled needs panel.ingress.host: the panel's host name, such as panel.example.com" -}}
{{- end -}}
{{- range $setting := list "metrics" "proxy" "panel" -}}
{{- $listen := (index $.Values.settings $setting).listen -}}
{{- if or (hasPrefix "127." $listen) (hasPrefix "localhost" $listen) (hasPrefix "[::1]" $listen) -}}
{{- fail (printf "settings.%s.listen (%s) must not be a loopback address: the kubelet and the other pods reach it" $setting $listen) -}}
{{- end -}}
{{- end -}}
{{- if eq .Values.settings.store.backend "scylla" -}}
{{- range $point := splitList "," (toString .Values.settings.store.scylla_contact_points) -}}
{{- $point = trim $point -}}
{{- if or (hasPrefix "127." $point) (hasPrefix "localhost" $point) (hasPrefix "[::1]" $point) -}}
{{- fail (printf "settings.store.scylla_contact_points (%s) must name the ScyllaDB nodes, not a loopback address the pods cannot reach (such as scylla-client.scylla:9042)" $point) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not (index .Values.secrets "discord.token").name -}}
{{- fail "secrets[\"discord.token\"].name: the Secret holding the bot token is required" -}}
{{- end -}}
{{- end -}}
