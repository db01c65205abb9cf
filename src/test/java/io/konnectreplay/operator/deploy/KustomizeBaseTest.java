package io.konnectreplay.operator.deploy;

import static io.konnectreplay.operator.deploy.DeployFiles.NAMESPACE;
import static io.konnectreplay.operator.deploy.DeployFiles.one;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** deploy/base builds with kubectl kustomize and installs the same operator as the chart's defaults. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KustomizeBaseTest {
  List<HasMetadata> base;
  List<HasMetadata> chart;

  @BeforeAll
  void build() throws Exception {
    Optional<String> built = DeployFiles.kustomize(DeployFiles.root().resolve("deploy/base"));
    if (built.isPresent()) {
      base = DeployFiles.parseAll(built.get());
      chart = DeployFiles.render();
    }
  }

  @BeforeEach
  void needsKubectl() {
    // Reported as skipped, per test, with the reason.
    Assumptions.assumeTrue(base != null,
        "kubectl is not installed: skipping the comparison of deploy/base with the Helm chart");
  }

  @Test
  void holdsTheChartsObjectsPlusNamespace() {
    List<String> expected = new ArrayList<>(chart.stream().map(KustomizeBaseTest::id).toList());
    expected.add("Namespace//" + NAMESPACE);
    assertThat(DeployFiles.read(DeployFiles.root().resolve("deploy/base/kustomization.yaml")))
        .contains("  - tenant-rbac.yaml\n");
    assertThat(base).extracting(KustomizeBaseTest::id).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(base).filteredOn(o -> o instanceof Namespaced)
        .allSatisfy(o -> assertThat(o.getMetadata().getNamespace()).as(id(o)).isEqualTo(NAMESPACE));
  }

  private static String id(HasMetadata o) {
    return o.getKind() + "/" + (o.getMetadata().getNamespace() == null ? "" : o.getMetadata().getNamespace())
        + "/" + o.getMetadata().getName();
  }

  @Test
  void installsTheGeneratedCrds() {
    var generated = DeployFiles.rootCrds();
    assertThat(DeployFiles.ofKind(base, CustomResourceDefinition.class)).hasSameSizeAs(generated);
    for (CustomResourceDefinition crd : generated) {
      assertThat(one(base, CustomResourceDefinition.class,
          c -> c.getMetadata().getName().equals(crd.getMetadata().getName())).getSpec()).isEqualTo(crd.getSpec());
    }
  }

  @Test
  void deploymentMatchesTheChart() {
    Deployment fromBase = one(base, Deployment.class);
    Deployment fromChart = one(chart, Deployment.class);
    assertThat(fromBase.getSpec().getReplicas()).isEqualTo(fromChart.getSpec().getReplicas());
    assertThat(fromBase.getSpec().getSelector()).isEqualTo(fromChart.getSpec().getSelector());

    PodSpec podBase = fromBase.getSpec().getTemplate().getSpec();
    PodSpec podChart = fromChart.getSpec().getTemplate().getSpec();
    assertThat(podBase.getServiceAccountName()).isEqualTo(podChart.getServiceAccountName());
    assertThat(podBase.getSecurityContext()).isEqualTo(podChart.getSecurityContext());
    assertThat(podBase.getTerminationGracePeriodSeconds()).isEqualTo(podChart.getTerminationGracePeriodSeconds());
    assertThat(podBase.getVolumes()).isEqualTo(podChart.getVolumes());

    Container base = HelmChartTest.operator(fromBase);
    Container chart = HelmChartTest.operator(fromChart);
    assertThat(base.getImage()).isEqualTo(chart.getImage());
    assertThat(base.getImagePullPolicy()).isEqualTo(chart.getImagePullPolicy());
    assertThat(HelmChartTest.env(fromBase)).containsExactlyEntriesOf(HelmChartTest.env(fromChart));
    assertThat(base.getStartupProbe()).isEqualTo(chart.getStartupProbe());
    assertThat(base.getLivenessProbe()).isEqualTo(chart.getLivenessProbe());
    assertThat(base.getReadinessProbe()).isEqualTo(chart.getReadinessProbe());
    assertThat(base.getSecurityContext()).isEqualTo(chart.getSecurityContext());
    assertThat(base.getResources()).isEqualTo(chart.getResources());
    assertThat(base.getPorts()).isEqualTo(chart.getPorts());
    assertThat(base.getVolumeMounts()).isEqualTo(chart.getVolumeMounts());
  }

  @Test
  void rbacMatchesTheChart() {
    HelmChartTest.assertNoWildcards(base);
    for (String name : List.of(DeployFiles.RELEASE, HelmChartTest.VIEW_ROLE, HelmChartTest.EDIT_ROLE)) {
      assertThat(HelmChartTest.clusterRole(base, name).getRules()).as(name)
          .isEqualTo(HelmChartTest.clusterRole(chart, name).getRules());
    }
    assertThat(HelmChartTest.clusterRole(base, DeployFiles.RELEASE).getRules())
        .containsExactlyInAnyOrderElementsOf(HelmChartTest.OPERATOR_RULES);
    HelmChartTest.assertTenantRoles(base);
    assertThat(one(base, ClusterRoleBinding.class).getSubjects())
        .isEqualTo(one(chart, ClusterRoleBinding.class).getSubjects());
    assertThat(one(base, Role.class).getRules()).isEqualTo(one(chart, Role.class).getRules());
    assertThat(one(base, RoleBinding.class).getSubjects()).isEqualTo(one(chart, RoleBinding.class).getSubjects());
    assertThat(one(base, RoleBinding.class).getRoleRef()).isEqualTo(one(chart, RoleBinding.class).getRoleRef());
    assertThat(one(base, ServiceAccount.class).getMetadata().getName())
        .isEqualTo(one(chart, ServiceAccount.class).getMetadata().getName());
  }

  @Test
  void theExampleOverlayChangesOnlyTheImage() throws Exception {
    List<HasMetadata> overlay = DeployFiles.parseAll(
        DeployFiles.kustomize(DeployFiles.root().resolve("deploy/overlays/example")).orElseThrow());
    assertThat(overlay).extracting(KustomizeBaseTest::id)
        .containsExactlyInAnyOrderElementsOf(base.stream().map(KustomizeBaseTest::id).toList());
    Deployment deployment = one(overlay, Deployment.class);
    assertThat(HelmChartTest.operator(deployment).getImage())
        .isEqualTo("registry.example.com/platform/konnect-replay-operator:0.1.0");
    // everything else is the base's
    Deployment fromBase = one(base, Deployment.class);
    HelmChartTest.operator(deployment).setImage(HelmChartTest.operator(fromBase).getImage());
    assertThat(deployment).isEqualTo(fromBase);
  }

  @Test
  void serviceAndDisruptionBudgetMatchTheChart() {
    assertThat(one(base, Service.class).getSpec()).isEqualTo(one(chart, Service.class).getSpec());
    assertThat(one(base, PodDisruptionBudget.class).getSpec())
        .isEqualTo(one(chart, PodDisruptionBudget.class).getSpec());
  }
}
