package io.konnectreplay.operator.deploy;

import static io.konnectreplay.operator.deploy.DeployFiles.NAMESPACE;
import static io.konnectreplay.operator.deploy.DeployFiles.RELEASE;
import static io.konnectreplay.operator.deploy.DeployFiles.chart;
import static io.konnectreplay.operator.deploy.DeployFiles.helmTemplate;
import static io.konnectreplay.operator.deploy.DeployFiles.ofKind;
import static io.konnectreplay.operator.deploy.DeployFiles.one;
import static io.konnectreplay.operator.deploy.DeployFiles.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.konnectreplay.operator.config.GoDuration;
import io.konnectreplay.operator.config.OperatorSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HelmChartTest {

  /** The operator's rules against the Kubernetes API: exactly these, in the ClusterRole or each Role. */
  static final List<PolicyRule> OPERATOR_RULES = List.of(
      rule("konnectreplay.io", "auditlogreplayjobs", "get", "list", "watch"),
      rule("konnectreplay.io", "auditlogreplayjobs/status", "get", "update", "patch"),
      rule("konnectreplay.io", "auditlogreplayjobs", "create", "delete"),
      rule("konnectreplay.io", "auditlogreplaypolicies", "get", "list", "watch"),
      rule("konnectreplay.io", "auditlogreplaypolicies/status", "get", "update", "patch"),
      rule("", "secrets", "get", "list", "watch"),
      rule("", "events", "create", "patch"));

  /** Tenant RBAC: read jobs (view), and manage them but never their status (edit, admin). */
  static final List<PolicyRule> VIEW_RULES = List.of(
      rules("konnectreplay.io", List.of("auditlogreplayjobs", "auditlogreplayjobs/status", "auditlogreplaypolicies",
          "auditlogreplaypolicies/status"), "get", "list", "watch"));
  static final List<PolicyRule> EDIT_RULES = List.of(VIEW_RULES.get(0),
      rules("konnectreplay.io", List.of("auditlogreplayjobs", "auditlogreplaypolicies"), "create", "update", "patch",
          "delete", "deletecollection"));
  static final String VIEW_ROLE = RELEASE + "-view";
  static final String EDIT_ROLE = RELEASE + "-edit";

  static PolicyRule rules(String group, List<String> resources, String... verbs) {
    PolicyRule rule = rule(group, resources.get(0), verbs);
    rule.setResources(resources);
    return rule;
  }

  static ClusterRole clusterRole(List<HasMetadata> objects, String name) {
    return one(objects, ClusterRole.class, r -> r.getMetadata().getName().equals(name));
  }

  static void assertTenantRoles(List<HasMetadata> objects) {
    ClusterRole view = clusterRole(objects, VIEW_ROLE);
    assertThat(view.getRules()).containsExactlyElementsOf(VIEW_RULES);
    assertThat(view.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true")
        .doesNotContainKeys("rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-admin");
    ClusterRole edit = clusterRole(objects, EDIT_ROLE);
    assertThat(edit.getRules()).containsExactlyElementsOf(EDIT_RULES);
    assertThat(edit.getMetadata().getLabels()).containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true")
        .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true")
        .doesNotContainKey("rbac.authorization.k8s.io/aggregate-to-view");
  }

  static final List<PolicyRule> LEASE_RULES = List.of(rule("coordination.k8s.io", "leases", "get", "create", "update"));

  static PolicyRule rule(String group, String resource, String... verbs) {
    PolicyRule rule = new PolicyRule();
    rule.setApiGroups(List.of(group));
    rule.setResources(List.of(resource));
    rule.setVerbs(List.of(verbs));
    return rule;
  }

  static Container operator(Deployment deployment) {
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers).hasSize(1);
    return containers.get(0);
  }

  /** Plain env values by name; downward-API entries as "fieldRef:PATH". */
  static Map<String, String> env(Deployment deployment) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : operator(deployment).getEnv()) {
      String value = var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null
          ? "fieldRef:" + var.getValueFrom().getFieldRef().getFieldPath()
          : var.getValue();
      assertThat(env.put(var.getName(), value)).as("env %s set twice", var.getName()).isNull();
    }
    return env;
  }

  static void assertNoWildcards(List<HasMetadata> objects) {
    Stream<PolicyRule> rules = Stream.concat(
        ofKind(objects, ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
        ofKind(objects, Role.class).stream().flatMap(r -> r.getRules().stream()));
    rules.forEach(r -> {
      assertThat(r.getApiGroups()).doesNotContain("*");
      assertThat(r.getResources()).doesNotContain("*");
      assertThat(r.getVerbs()).doesNotContain("*");
      assertThat(r.getNonResourceURLs()).isNullOrEmpty();
    });
  }

  static void assertBindsOperator(List<Subject> subjects) {
    assertThat(subjects).singleElement().satisfies(s -> {
      assertThat(s.getKind()).isEqualTo("ServiceAccount");
      assertThat(s.getName()).isEqualTo(RELEASE);
      assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
    });
  }

  @Test
  void lintStrictIsClean() {
    LintResult result = new Helm(chart()).lint().strict().call();
    assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @Nested
  class Defaults {
    final List<HasMetadata> objects = render();
    final Deployment deployment = one(objects, Deployment.class);

    @Test
    void rendersTheExpectedObjects() {
      assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder(
          "CustomResourceDefinition", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRole", "ClusterRole",
          "ClusterRoleBinding", "Role", "RoleBinding", "Service", "Deployment", "PodDisruptionBudget");
      assertThat(objects).filteredOn(o -> o instanceof io.fabric8.kubernetes.api.model.Namespaced)
          .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).isEqualTo(NAMESPACE));
      assertThat(one(objects, ServiceAccount.class).getMetadata().getName()).isEqualTo(RELEASE);
    }

    @Test
    void runsTwoReplicasOfTheAppVersionImage() {
      assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
      assertThat(operator(deployment).getImage()).isEqualTo("ghcr.io/konnect-replay/konnect-replay-operator:0.1.0");
      assertThat(operator(deployment).getImagePullPolicy()).isEqualTo("IfNotPresent");
      assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(RELEASE);
      assertThat(deployment.getSpec().getSelector().getMatchLabels())
          .isEqualTo(Map.of("app.kubernetes.io/name", "konnect-replay-operator", "app.kubernetes.io/instance", RELEASE));
    }

    @Test
    void probesTheHttpPort() {
      Container c = operator(deployment);
      assertThat(c.getPorts()).singleElement().satisfies(p -> {
        assertThat(p.getName()).isEqualTo("http");
        assertThat(p.getContainerPort()).isEqualTo(Integer.valueOf(OperatorSettings.DEFAULTS.get("HTTP_PORT")));
      });
      assertProbe(c.getStartupProbe(), "/healthz");
      assertProbe(c.getLivenessProbe(), "/healthz");
      assertProbe(c.getReadinessProbe(), "/readyz");
    }

    private void assertProbe(Probe probe, String path) {
      assertThat(probe).isNotNull();
      assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
      assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http");
    }

    @Test
    void runsLockedDown() {
      var pod = deployment.getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
      assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      var sc = operator(deployment).getSecurityContext();
      assertThat(sc.getRunAsNonRoot()).isTrue();
      assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getVolumes()).singleElement().satisfies(v -> {
        assertThat(v.getName()).isEqualTo("tmp");
        assertThat(v.getEmptyDir()).isNotNull();
      });
      assertThat(operator(deployment).getVolumeMounts()).singleElement()
          .satisfies(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    }

    @Test
    void requestsResourcesAndSizesTheHeapFromTheLimit() {
      var resources = operator(deployment).getResources();
      assertThat(resources.getRequests()).containsKeys("cpu", "memory");
      assertThat(resources.getLimits()).containsKey("memory");
      assertThat(env(deployment).get("JAVA_TOOL_OPTIONS"))
          .isEqualTo("-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void outlivesTheOperatorsTerminationTimeout() {
      long grace = deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
      long timeout = GoDuration.parse(OperatorSettings.DEFAULTS.get("TERMINATION_TIMEOUT")).toSeconds();
      assertThat(grace).isGreaterThan(timeout);
    }

    @Test
    void setsOnlySettingsTheOperatorReads() {
      Map<String, String> env = env(deployment);
      Set<String> known = new java.util.HashSet<>(OperatorSettings.DEFAULTS.keySet());
      known.addAll(Set.of("POD_NAMESPACE", "JAVA_TOOL_OPTIONS"));
      assertThat(known).containsAll(env.keySet());
      assertThat(env).containsEntry("POD_NAME", "fieldRef:metadata.name")
          .containsEntry("POD_NAMESPACE", "fieldRef:metadata.namespace")
          .containsEntry("LEADER_ELECTION", "true")
          .containsEntry("LEADER_ELECTION_NAMESPACE", NAMESPACE)
          .containsEntry("LEADER_ELECTION_LEASE_NAME", RELEASE);
      // Everything else matches the jar's own defaults.
      for (String name : List.of("WATCH_NAMESPACES", "WATCH_LABEL_SELECTOR", "KONNECT_SERVER_URL_TEMPLATE",
          "KONNECT_ALLOWED_SERVER_URLS", "KONNECT_REGIONS", "KONNECT_MAX_RPS", "POLL_INTERVAL_MAX", "LOG_FORMAT",
          "HTTP_PORT")) {
        assertThat(env).as(name).containsEntry(name, OperatorSettings.DEFAULTS.get(name));
      }
      // And the operator accepts them.
      OperatorSettings settings = OperatorSettings.from(env::get);
      assertThat(settings.leaderElection()).isTrue();
      assertThat(settings.leaderElectionNamespace()).isEqualTo(NAMESPACE);
    }

    @Test
    void grantsExactlyWhatTheOperatorUses() {
      assertNoWildcards(objects);
      ClusterRole role = clusterRole(objects, RELEASE);
      assertThat(role.getRules()).containsExactlyInAnyOrderElementsOf(OPERATOR_RULES);
      ClusterRoleBinding binding = one(objects, ClusterRoleBinding.class);
      assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
      assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
      assertBindsOperator(binding.getSubjects());

      Role lease = one(objects, Role.class);
      assertThat(lease.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
      assertThat(lease.getRules()).containsExactlyElementsOf(LEASE_RULES);
      RoleBinding leaseBinding = one(objects, RoleBinding.class);
      assertThat(leaseBinding.getRoleRef().getName()).isEqualTo(lease.getMetadata().getName());
      assertBindsOperator(leaseBinding.getSubjects());
    }

    @Test
    void aggregatesTenantRolesIntoViewEditAndAdmin() {
      assertTenantRoles(objects);
      assertThat(ofKind(objects, ClusterRoleBinding.class)).as("the built-in roles are bound by the cluster's admins")
          .noneMatch(b -> b.getRoleRef().getName().startsWith(RELEASE + "-"));
    }

    @Test
    void keepsOneReplicaThroughDisruptions() {
      PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
      assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1);
      assertThat(pdb.getSpec().getSelector().getMatchLabels())
          .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void exposesTheHttpPort() {
      Service service = one(objects, Service.class);
      assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
      assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
        assertThat(p.getPort()).isEqualTo(8080);
        assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
      });
    }
  }

  @Test
  void namespacedModeGrantsRolesInEachWatchedNamespaceOnly() {
    List<HasMetadata> objects = render("watchNamespaces: [team-a, team-b]\n");
    assertThat(ofKind(objects, ClusterRole.class)).extracting(r -> r.getMetadata().getName())
        .as("only the tenant roles").containsExactlyInAnyOrder(VIEW_ROLE, EDIT_ROLE);
    assertTenantRoles(objects);
    assertThat(ofKind(objects, ClusterRoleBinding.class)).isEmpty();
    assertNoWildcards(objects);
    for (String ns : List.of("team-a", "team-b")) {
      Role role = one(objects, Role.class, r -> r.getMetadata().getNamespace().equals(ns));
      assertThat(role.getRules()).containsExactlyInAnyOrderElementsOf(OPERATOR_RULES);
      RoleBinding binding = one(objects, RoleBinding.class, r -> r.getMetadata().getNamespace().equals(ns));
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
      assertBindsOperator(binding.getSubjects());
    }
    Role lease = one(objects, Role.class, r -> r.getMetadata().getNamespace().equals(NAMESPACE));
    assertThat(lease.getRules()).containsExactlyElementsOf(LEASE_RULES);
    assertThat(env(one(objects, Deployment.class))).containsEntry("WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void leaderElectionOffNeedsNoLease() {
    List<HasMetadata> objects = render("leaderElection: false\nreplicaCount: 1\n");
    assertThat(ofKind(objects, Role.class)).isEmpty();
    assertThat(ofKind(objects, RoleBinding.class)).isEmpty();
    assertThat(helmTemplate("leaderElection: false\nreplicaCount: 1\n")).doesNotContain("leases");
    Map<String, String> env = env(one(objects, Deployment.class));
    assertThat(env).containsEntry("LEADER_ELECTION", "false")
        .doesNotContainKeys("LEADER_ELECTION_NAMESPACE", "LEADER_ELECTION_LEASE_NAME");
    assertThat(ofKind(objects, PodDisruptionBudget.class)).as("no PDB for a single replica").isEmpty();
    assertThat(one(objects, Deployment.class).getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void metricsWithServiceMonitor() {
    List<HasMetadata> objects = render("""
        metrics:
          port: 9090
          serviceMonitor:
            enabled: true
            interval: 15s
            labels:
              release: prometheus
        """);
    GenericKubernetesResource monitor = one(objects, GenericKubernetesResource.class,
        o -> o.getKind().equals("ServiceMonitor"));
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints).singleElement().isEqualTo(Map.of("port", "http", "path", "/metrics", "interval", "15s"));
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    Service service = one(objects, Service.class);
    assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(9090);
    });
    Deployment deployment = one(objects, Deployment.class);
    assertThat(operator(deployment).getPorts().get(0).getContainerPort()).isEqualTo(9090);
    assertThat(env(deployment)).containsEntry("HTTP_PORT", "9090");
  }

  @Test
  void metricsDisabledRendersNoServiceNorMonitor() {
    List<HasMetadata> objects = render("metrics: {enabled: false, serviceMonitor: {enabled: true}}\n");
    assertThat(ofKind(objects, Service.class)).isEmpty();
    assertThat(ofKind(objects, GenericKubernetesResource.class)).isEmpty();
    // The probes still need the port.
    assertThat(operator(one(objects, Deployment.class)).getPorts()).hasSize(1);
  }

  @Test
  void prometheusRuleIsOffByDefaultAndCarriesItsLabelsWhenOn() {
    assertThat(helmTemplate()).doesNotContain("PrometheusRule");
    List<HasMetadata> objects = render("metrics: {prometheusRule: {enabled: true, labels: {release: prometheus}}}\n");
    GenericKubernetesResource rule = one(objects, GenericKubernetesResource.class,
        o -> o.getKind().equals("PrometheusRule"));
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getName()).isEqualTo(RELEASE);
    assertThat(rule.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus")
        .containsEntry("app.kubernetes.io/instance", RELEASE);
    List<Map<String, Object>> groups = rule.get("spec", "groups");
    assertThat(groups).singleElement().satisfies(g -> assertThat(g.get("name")).isEqualTo("konnect-replay-operator"));
    // The selector names the Service that the ServiceMonitor scrapes (its job label) in the release namespace.
    Service service = one(objects, Service.class);
    assertThat(helmTemplate("metrics: {prometheusRule: {enabled: true}}\n"))
        .contains("konnect_replay_stalled{job=\"" + service.getMetadata().getName() + "\",namespace=\"" + NAMESPACE
            + "\"}");
  }

  @Test
  void grafanaDashboardIsOffByDefaultAndShipsTheDashboardFileWhenOn() throws Exception {
    assertThat(ofKind(render(), ConfigMap.class)).isEmpty();
    ConfigMap defaults = one(render("metrics: {grafanaDashboard: {enabled: true}}\n"), ConfigMap.class);
    assertThat(defaults.getMetadata().getName()).isEqualTo(RELEASE + "-dashboard");
    assertThat(defaults.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(defaults.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(defaults.getData()).containsOnlyKeys(GrafanaDashboard.FILE);
    assertThat(json.readTree(defaults.getData().get(GrafanaDashboard.FILE)))
        .isEqualTo(json.readTree(GrafanaDashboard.json()));

    ConfigMap custom = one(render("""
        metrics:
          grafanaDashboard:
            enabled: true
            label: example.com/dashboard
            labelValue: replays
            namespace: monitoring
            annotations: {grafana_folder: Operators}
        """), ConfigMap.class);
    assertThat(custom.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(custom.getMetadata().getLabels()).containsEntry("example.com/dashboard", "replays")
        .doesNotContainKey("grafana_dashboard");
    assertThat(custom.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Operators");
  }

  @Test
  void extraEnvAndPodPlacement() {
    List<HasMetadata> objects = render("""
        extraEnv:
          - name: RECONCILE_THREADS
            value: "20"
          - name: HTTPS_PROXY
            value: http://proxy.internal:3128
        logFormat: json
        watchLabelSelector: shard=a
        konnect:
          regions: [eu]
          allowedServerUrls: ["https://*.api.konghq.com", "https://konnect.internal:*"]
          maxRps: 2.5
        podAnnotations:
          example.com/team: platform
        nodeSelector:
          kubernetes.io/os: linux
        tolerations:
          - key: dedicated
            operator: Equal
            value: operators
            effect: NoSchedule
        image:
          tag: "0.2.0"
          pullPolicy: Always
        imagePullSecrets:
          - name: registry
        serviceAccount:
          name: replay
          annotations:
            example.com/role: replay
        """);
    Deployment deployment = one(objects, Deployment.class);
    Map<String, String> env = env(deployment);
    assertThat(env).containsEntry("RECONCILE_THREADS", "20")
        .containsEntry("HTTPS_PROXY", "http://proxy.internal:3128")
        .containsEntry("LOG_FORMAT", "json")
        .containsEntry("WATCH_LABEL_SELECTOR", "shard=a")
        .containsEntry("KONNECT_REGIONS", "eu")
        .containsEntry("KONNECT_ALLOWED_SERVER_URLS", "https://*.api.konghq.com,https://konnect.internal:*")
        .containsEntry("KONNECT_MAX_RPS", "2.5");
    assertThat(OperatorSettings.from(env::get).maxRequestsPerSecond()).isEqualTo(2.5);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/team", "platform");
    assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
    assertThat(pod.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("registry"));
    assertThat(operator(deployment).getImage()).endsWith(":0.2.0");
    assertThat(operator(deployment).getImagePullPolicy()).isEqualTo("Always");
    assertThat(pod.getServiceAccountName()).isEqualTo("replay");
    ServiceAccount sa = one(objects, ServiceAccount.class);
    assertThat(sa.getMetadata().getName()).isEqualTo("replay");
    assertThat(sa.getMetadata().getAnnotations()).containsEntry("example.com/role", "replay");
    assertThat(one(objects, ClusterRoleBinding.class).getSubjects().get(0).getName()).isEqualTo("replay");
  }

  @Test
  void rbacCanBeLeftToTheCluster() {
    List<HasMetadata> objects = render("rbac: {create: false}\nserviceAccount: {create: false, name: replay}\n"
        + "crds: {enabled: false}\n");
    assertThat(objects).extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget");
    assertThat(one(objects, Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("replay");
  }

  @Test
  void tenantRolesCanBeTurnedOff() {
    List<HasMetadata> objects = render("rbac: {aggregateToDefaultRoles: false}\n");
    assertThat(ofKind(objects, ClusterRole.class)).extracting(r -> r.getMetadata().getName()).containsExactly(RELEASE);
    assertThat(helmTemplate("rbac: {aggregateToDefaultRoles: false}\n")).doesNotContain("aggregate-to-");
  }

  @Test
  void crdsAreTemplatedSoThatUpgradesReachThemAndKeptOnUninstall() {
    java.util.function.Predicate<CustomResourceDefinition> jobs =
        c -> c.getMetadata().getName().equals("auditlogreplayjobs.konnectreplay.io");
    assertThat(ofKind(render(), CustomResourceDefinition.class)).extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("auditlogreplayjobs.konnectreplay.io", "auditlogreplaypolicies.konnectreplay.io");
    CustomResourceDefinition crd = one(render(), CustomResourceDefinition.class, jobs);
    assertThat(crd.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
    assertThat(crd.getMetadata().getNamespace()).isNull();

    CustomResourceDefinition notKept = one(render("crds: {keep: false}\n"), CustomResourceDefinition.class, jobs);
    assertThat(notKept.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(notKept.getSpec()).isEqualTo(crd.getSpec());

    assertThat(ofKind(render("crds: {enabled: false}\n"), CustomResourceDefinition.class)).isEmpty();
  }

  /** The README's example: a trust store for a Konnect behind a private CA, from a Secret, passed to the JVM. */
  static final String PRIVATE_CA_VALUES = """
      extraVolumes:
        - name: konnect-ca
          secret:
            secretName: konnect-ca-truststore
      extraVolumeMounts:
        - name: konnect-ca
          mountPath: /etc/konnect-ca
          readOnly: true
      javaToolOptions: >-
        -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError
        -Djavax.net.ssl.trustStore=/etc/konnect-ca/truststore.p12
        -Djavax.net.ssl.trustStorePassword=changeit
      """;

  @Test
  void aPrivateCaTrustStoreIsMountedAndPassedToTheJvm() {
    Deployment deployment = one(render(PRIVATE_CA_VALUES), Deployment.class);
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("tmp", "konnect-ca");
    assertThat(pod.getVolumes().get(1).getSecret().getSecretName()).isEqualTo("konnect-ca-truststore");
    assertThat(operator(deployment).getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath() + ":"
        + m.getReadOnly()).containsExactly("tmp:/tmp:null", "konnect-ca:/etc/konnect-ca:true");
    String options = env(deployment).get("JAVA_TOOL_OPTIONS");
    assertThat(options).contains("-XX:MaxRAMPercentage=75", "-Djavax.net.ssl.trustStore=/etc/konnect-ca/truststore.p12");
    String store = options.replaceAll(".*-Djavax.net.ssl.trustStore=(\\S+).*", "$1");
    assertThat(operator(deployment).getVolumeMounts()).as("the trust store lies under a mount")
        .anyMatch(m -> store.startsWith(m.getMountPath() + "/"));
  }

  @Test
  void podLabelsAnnotationsPriorityAndSpread() {
    Deployment deployment = one(render("""
        podLabels:
          team: platform
        podAnnotations:
          example.com/owner: replay
        priorityClassName: system-cluster-critical
        topologySpreadConstraints:
          - maxSkew: 1
            topologyKey: topology.kubernetes.io/zone
            whenUnsatisfiable: ScheduleAnyway
            labelSelector:
              matchLabels:
                app.kubernetes.io/instance: "{{ .Release.Name }}"
        """), Deployment.class);
    var template = deployment.getSpec().getTemplate();
    assertThat(template.getMetadata().getLabels()).containsEntry("team", "platform")
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(deployment.getSpec().getSelector().getMatchLabels()).doesNotContainKey("team");
    assertThat(template.getMetadata().getAnnotations()).containsEntry("example.com/owner", "replay");
    assertThat(template.getSpec().getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(template.getSpec().getTopologySpreadConstraints()).singleElement().satisfies(t -> {
      assertThat(t.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
      assertThat(t.getLabelSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", RELEASE);
    });
    var defaults = one(render(), Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(defaults.getPriorityClassName()).isNull();
    assertThat(defaults.getTopologySpreadConstraints()).isNullOrEmpty();
  }

  @Test
  void anImageDigestPinsTheImage() {
    String digest = "sha256:" + "0123456789abcdef".repeat(4);
    Deployment deployment = one(render("image: {repository: registry.example.com/replay, tag: \"9.9.9\", digest: "
        + digest + "}\n"), Deployment.class);
    assertThat(operator(deployment).getImage()).isEqualTo("registry.example.com/replay@" + digest);
  }

  @Test
  void networkPolicyIsOptInAndAllowsOnlyDnsApiServerKonnectAndTheScraper() {
    assertThat(ofKind(render(), NetworkPolicy.class)).isEmpty();
    NetworkPolicy policy = one(render("""
        networkPolicy:
          enabled: true
          apiServer: {cidrs: [10.0.0.1/32]}
          metricsFrom:
            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: observability}}
              podSelector: {matchLabels: {app: prometheus}}
        """), NetworkPolicy.class);
    Deployment deployment = one(render(), Deployment.class);
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");

    assertThat(policy.getSpec().getIngress()).singleElement().satisfies(in -> {
      assertThat(in.getPorts()).extracting(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
          .containsExactly("8080/TCP");
      assertThat(in.getFrom()).singleElement().satisfies(from -> {
        assertThat(from.getNamespaceSelector().getMatchLabels())
            .containsEntry("kubernetes.io/metadata.name", "observability");
        assertThat(from.getPodSelector().getMatchLabels()).containsEntry("app", "prometheus");
      });
    });
    var egress = policy.getSpec().getEgress();
    assertThat(egress).extracting(e -> e.getPorts().stream().map(p -> p.getPort().getIntVal() + "/" + p.getProtocol())
        .toList().toString()).containsExactly("[53/UDP, 53/TCP]", "[443/TCP, 6443/TCP]", "[443/TCP]");
    assertThat(egress.get(0).getTo()).singleElement().satisfies(to -> assertThat(to.getPodSelector().getMatchLabels())
        .containsEntry("k8s-app", "kube-dns"));
    assertThat(egress.get(1).getTo()).singleElement()
        .satisfies(to -> assertThat(to.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
    assertThat(egress.get(2).getTo()).as("Konnect: any address on 443 unless konnect.cidrs is set").isNullOrEmpty();
  }

  @Test
  void schemaRefusesSeveralReplicasWithoutLeaderElection() {
    assertThatThrownBy(() -> helmTemplate("leaderElection: false\n"))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("/replicaCount");
    assertThatThrownBy(() -> helmTemplate("leaderElection: false\nreplicaCount: 3\n"))
        .hasMessageContaining("/replicaCount");
    assertThat(one(render("leaderElection: false\nreplicaCount: 1\n"), Deployment.class).getSpec().getReplicas())
        .isEqualTo(1);
    assertThat(one(render("replicaCount: 3\n"), Deployment.class).getSpec().getReplicas()).isEqualTo(3);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("logFormat: xml\n", "at '/logFormat': value must be one of 'text', 'json'"),
        Arguments.of("replicaCount: 0\n", "at '/replicaCount': minimum: got 0, want 1"),
        Arguments.of("replicaCount: two\n", "at '/replicaCount': got string, want integer"),
        Arguments.of("image: {pullPolicy: Sometimes}\n",
            "at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'"),
        Arguments.of("replicas: 3\n", "at '': additional properties 'replicas' not allowed"),
        Arguments.of("watchNamespaces: team-a\n", "at '/watchNamespaces': got string, want array"),
        Arguments.of("watchNamespaces: [Team_A]\n", "at '/watchNamespaces/0': 'Team_A' does not match pattern"),
        Arguments.of("rbac: {aggregateToDefaultRoles: \"yes\"}\n",
            "at '/rbac/aggregateToDefaultRoles': got string, want boolean"),
        Arguments.of("leaderElection: \"yes\"\n", "at '/leaderElection': got string, want boolean"),
        Arguments.of("pollIntervalMax: 30 seconds\n", "at '/pollIntervalMax': '30 seconds' does not match pattern"),
        Arguments.of("konnect: {maxRps: 0}\n", "at '/konnect/maxRps': exclusiveMinimum"),
        Arguments.of("image: {digest: \"0.1.0\"}\n", "at '/image/digest': '0.1.0' does not match pattern"),
        Arguments.of("extraVolumeMounts: [{name: ca}]\n", "at '/extraVolumeMounts/0': missing property 'mountPath'"),
        Arguments.of("networkPolicy: {apiServer: {cidrs: [kubernetes.default]}}\n",
            "at '/networkPolicy/apiServer/cidrs/0': 'kubernetes.default' does not match pattern"),
        Arguments.of("crds: {enabled: \"yes\"}\n", "at '/crds/enabled': got string, want boolean"),
        Arguments.of("terminationGracePeriodSeconds: 10\n",
            "at '/terminationGracePeriodSeconds': minimum: got 10, want 21"),
        Arguments.of("metrics: {prometheusRule: {stalledFor: 15 minutes}}\n",
            "at '/metrics/prometheusRule/stalledFor': '15 minutes' does not match pattern"),
        Arguments.of("metrics: {prometheusRule: {noLeaderFor: 1.5h}}\n",
            "at '/metrics/prometheusRule/noLeaderFor': '1.5h' does not match pattern"),
        Arguments.of("metrics: {prometheusRule: {konnectErrorRatio: 2}}\n",
            "at '/metrics/prometheusRule/konnectErrorRatio': maximum: got 2, want 1"),
        Arguments.of("metrics: {prometheusRule: {runbookBaseUrl: 'https://wiki.example.com/x#anchor'}}\n",
            "at '/metrics/prometheusRule/runbookBaseUrl': 'https://wiki.example.com/x#anchor' does not match pattern"),
        Arguments.of("metrics: {prometheusRule: {enable: true}}\n",
            "at '/metrics/prometheusRule': additional properties 'enable' not allowed"),
        Arguments.of("metrics: {grafanaDashboard: {label: 'grafana dashboard'}}\n",
            "at '/metrics/grafanaDashboard/label': 'grafana dashboard' does not match pattern"),
        Arguments.of("metrics: {grafanaDashboard: {labelValue: 1}}\n",
            "at '/metrics/grafanaDashboard/labelValue': got number, want string"),
        Arguments.of("metrics: {grafanaDashboard: {namespace: Monitoring}}\n",
            "at '/metrics/grafanaDashboard/namespace'"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void schemaRejectsBadValues(String values, String message) {
    assertThatThrownBy(() -> helmTemplate(values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(message);
  }
}
