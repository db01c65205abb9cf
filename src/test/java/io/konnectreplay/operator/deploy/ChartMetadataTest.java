package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** Chart.yaml's Artifact Hub annotations name the CRDs the chart really serves, with an example the CRD admits. */
class ChartMetadataTest {

  @SuppressWarnings("unchecked")
  final Map<String, Object> chart = new Yaml().load(
      DeployFiles.read(DeployFiles.root().resolve("helm/konnect-replay-operator/Chart.yaml")));

  @SuppressWarnings("unchecked")
  Map<String, String> annotations() { return (Map<String, String>) chart.get("annotations"); }

  @Test
  @SuppressWarnings("unchecked")
  void artifactHubCrdsNameTheGeneratedCrd() {
    List<Map<String, Object>> crds = new Yaml().load(annotations().get("artifacthub.io/crds"));
    assertThat(crds).singleElement().satisfies(crd -> {
      assertThat(crd).containsEntry("kind", "AuditLogReplayJob").containsEntry("version", AuditLogReplayJob.VERSION)
          .containsEntry("name", AuditLogReplayJob.CRD_NAME);
    });
    assertThat(annotations()).containsEntry("artifacthub.io/operator", "true");
  }

  @Test
  @SuppressWarnings("unchecked")
  void artifactHubExampleUsesTheCurrentGroup() {
    List<Map<String, Object>> examples = new Yaml().load(annotations().get("artifacthub.io/crdsExamples"));
    assertThat(examples).singleElement().satisfies(e -> assertThat(e)
        .containsEntry("apiVersion", AuditLogReplayJob.GROUP + "/" + AuditLogReplayJob.VERSION)
        .containsEntry("kind", "AuditLogReplayJob"));
  }
}
