# Checks a JSON array of Kubernetes objects (manifests_to_json.py, image already substituted) before
# anything is applied, and prints the array of violations: resource and rule, never a value.
#   - every Namespace enforces, audits and warns at the restricted Pod Security Standard, pinned
#     to a version, and has a default-deny NetworkPolicy for ingress and egress;
#   - every namespaced object lives in a Namespace of this set (not in an unlabelled one);
#   - every pod spec meets the restricted profile and pins its images by digest;
#   - no Service or Ingress asks for an external load balancer.

def cluster_scoped: [
  "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass",
  "StorageClass", "PersistentVolume", "RuntimeClass", "IngressClass", "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"
];

def ref: "\(.kind) \(if .metadata.namespace then "\(.metadata.namespace)/" else "" end)\(.metadata.name)";

def pod_spec:
  if .kind == "Pod" then .spec
  elif .kind == "CronJob" then .spec.jobTemplate.spec.template.spec
  elif (.kind | IN("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job")) then .spec.template.spec
  else null end;

# podSelector {} (or only empty matchLabels/matchExpressions), both policy types, no allow rules.
def default_deny:
  (.spec.podSelector // null) as $selector
  | $selector != null
    and (($selector | keys) - ["matchLabels", "matchExpressions"] | length) == 0
    and (($selector.matchLabels // {}) == {}) and (($selector.matchExpressions // []) == [])
    and any((.spec.policyTypes // [])[]; . == "Ingress")
    and any((.spec.policyTypes // [])[]; . == "Egress")
    and ((.spec.ingress // []) | length) == 0
    and ((.spec.egress // []) | length) == 0;

def setting($container; $pod; $key):
  if ($container | has($key)) then $container[$key] else $pod[$key] end;

def pod_violations($ref):
  . as $pod
  | ($pod.securityContext // {}) as $psc
  | (if ($pod.hostNetwork == true or $pod.hostPID == true or $pod.hostIPC == true)
       then "\($ref): shares a host namespace" else empty end),
    (if any(($pod.volumes // [])[]; .hostPath != null) then "\($ref): mounts a hostPath volume" else empty end),
    (((($pod.containers // []) + ($pod.initContainers // []) + ($pod.ephemeralContainers // [])))[]
      | (.securityContext // {}) as $sc
      | "\($ref) container \(.name)" as $c
      | (if setting($sc; $psc; "runAsNonRoot") != true then "\($c): runAsNonRoot is not true" else empty end),
        (if setting($sc; $psc; "runAsUser") == 0 then "\($c): runs as UID 0" else empty end),
        (if $sc.privileged == true then "\($c): is privileged" else empty end),
        (if $sc.allowPrivilegeEscalation != false then "\($c): allowPrivilegeEscalation is not false" else empty end),
        (if any(($sc.capabilities.drop // [])[]; . == "ALL") | not then "\($c): does not drop ALL capabilities" else empty end),
        (if ((($sc.capabilities.add // []) - ["NET_BIND_SERVICE"]) | length) > 0
           then "\($c): adds capabilities beyond NET_BIND_SERVICE" else empty end),
        (if ((($sc.seccompProfile.type // $psc.seccompProfile.type) // "") | IN("RuntimeDefault", "Localhost")) | not
           then "\($c): seccomp profile is not RuntimeDefault or Localhost" else empty end),
        (if ((.image // "") | test("@sha256:[0-9a-f]{64}$")) | not then "\($c): image is not pinned by digest" else empty end));

. as $objects
| [$objects[] | select(.kind == "Namespace")] as $namespaces
| [$namespaces[] | .metadata.name] as $names
| [$objects[] | select(.kind == "NetworkPolicy")] as $policies
| [
    (if ($namespaces | length) == 0 then "manifest set defines no Namespace (pods would land in an unlabelled one)" else empty end),
    ($namespaces[]
      | .metadata.name as $ns
      | (.metadata.labels // {}) as $labels
      | ("enforce", "audit", "warn"
          | select($labels["pod-security.kubernetes.io/\(.)"] != "restricted")
          | "Namespace \($ns): label pod-security.kubernetes.io/\(.) is not restricted"),
        (if ($labels["pod-security.kubernetes.io/enforce-version"] // "") == ""
           then "Namespace \($ns): no pod-security.kubernetes.io/enforce-version label" else empty end),
        (if any($policies[]; .metadata.namespace == $ns and default_deny) | not
           then "Namespace \($ns): no default-deny NetworkPolicy (podSelector {}, Ingress and Egress, no rules)"
           else empty end)),
    ($objects[]
      | select((.kind | IN(cluster_scoped[])) | not)
      | select((.metadata.namespace // "") as $ns | any($names[]; . == $ns) | not)
      | "\(ref): not in a Namespace of this manifest set"),
    ($objects[] | ref as $ref | pod_spec | select(. != null) | pod_violations($ref)),
    ($objects[]
      | select(.kind == "Service" and .spec.type == "LoadBalancer")
      | select((.metadata.annotations["networking.gke.io/load-balancer-type"] // "") != "Internal")
      | "\(ref): LoadBalancer without networking.gke.io/load-balancer-type: Internal (public IP)"),
    ($objects[]
      | select(.kind == "Ingress")
      | select(((.metadata.annotations["kubernetes.io/ingress.class"] // .spec.ingressClassName) // "") != "gce-internal")
      | "\(ref): Ingress is not gce-internal (external load balancer)")
  ]
