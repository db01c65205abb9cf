package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart and the kustomize base install the CRD committed in crds/, byte for byte; the chart's template renders
 * that file with nothing changed but the labels and the keep annotation.
 */
class CrdCopiesTest {

  @ParameterizedTest
  @ValueSource(strings = {"helm/konnect-replay-operator/files/crds", "deploy/base/crds"})
  void copyIsIdenticalToTheRootCrds(String copyDir) throws IOException {
    Path root = DeployFiles.root();
    List<String> originals = names(root.resolve("crds"));
    assertThat(names(root.resolve(copyDir))).as("files in %s", copyDir).isEqualTo(originals);
    for (String name : originals) {
      assertThat(Files.readAllBytes(root.resolve(copyDir).resolve(name)))
          .as("%s/%s differs from crds/%s: run  cp crds/%s %s/", copyDir, name, name, name, copyDir)
          .isEqualTo(Files.readAllBytes(root.resolve("crds").resolve(name)));
    }
  }

  @org.junit.jupiter.api.Test
  void theChartRendersEveryCommittedCrdUnchanged() {
    var rendered = DeployFiles.render();
    var crds = DeployFiles.rootCrds();
    assertThat(crds).extracting(c -> c.getMetadata().getName())
        .containsExactly("auditlogreplayjobs.konnectreplay.io", "auditlogreplaypolicies.konnectreplay.io");
    for (var crd : crds) {
      var one = DeployFiles.one(rendered, io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class,
          c -> c.getMetadata().getName().equals(crd.getMetadata().getName()));
      assertThat(one.getSpec()).isEqualTo(crd.getSpec());
      assertThat(one.getApiVersion()).isEqualTo(crd.getApiVersion());
      // the template adds the release's labels and the keep annotation, nothing else
      assertThat(one.getMetadata().getAnnotations()).containsExactly(java.util.Map.entry("helm.sh/resource-policy",
          "keep"));
      assertThat(one.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", DeployFiles.RELEASE);
    }
  }

  @org.junit.jupiter.api.Test
  void theChartHasNoCrdsFolderHelmWouldNeverUpgrade() {
    assertThat(DeployFiles.chart().resolve("crds")).doesNotExist();
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted().toList();
    }
  }
}
