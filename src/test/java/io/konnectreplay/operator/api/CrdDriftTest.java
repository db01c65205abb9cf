package io.konnectreplay.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.konnectreplay.operator.api.v1alpha1.CrdManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed CRD copies must be exactly what the build generates from the Java classes. */
class CrdDriftTest {

  static final Path BASEDIR = Path.of(System.getProperty("project.basedir", "."));
  static final Path ROOT = BASEDIR.resolve("crds");
  /** The chart renders its CRD template from these files (Helm reads only files inside the chart). */
  static final Path CHART = BASEDIR.resolve("helm/konnect-replay-operator/files/crds");
  /** kustomize only reads files below its folder, so the base keeps a copy too. */
  static final Path KUSTOMIZE = BASEDIR.resolve("deploy/base/crds");

  @ParameterizedTest
  @MethodSource("kinds")
  void committedCrdsMatchTheGeneratedOne(CrdManifest.Kind kind) throws IOException {
    String generated = CrdManifest.yaml(kind);
    Path rootCopy = ROOT.resolve(kind.fileName());
    Path[] copies = {CHART.resolve(kind.fileName()), KUSTOMIZE.resolve(kind.fileName())};
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(rootCopy, generated);
      for (Path copy : copies) {
        if (Files.isDirectory(copy.getParent())) Files.writeString(copy, generated);
      }
    }
    assertThat(rootCopy).as("crds/%s is missing: run `mvn -B verify -Dcrds.update=true`", kind.fileName()).exists();
    assertThat(Files.readString(rootCopy))
        .as("crds/ is stale: run `mvn -B verify -Dcrds.update=true` and commit the result")
        .isEqualTo(generated);
    for (Path copy : copies) {
      assertThat(copy).as(copy + " is missing: run `mvn -B verify -Dcrds.update=true`").exists();
      assertThat(Files.readString(copy)).as(copy + " is stale: run `mvn -B verify -Dcrds.update=true`")
          .isEqualTo(generated);
    }
  }

  static Stream<CrdManifest.Kind> kinds() { return CrdManifest.KINDS.stream(); }

  @Test
  void thePolicyHasItsColumnsShortNameAndCategory() {
    CustomResourceDefinition crd = CrdManifest.load(CrdManifest.POLICY);
    CustomResourceDefinitionVersion v1alpha1 = crd.getSpec().getVersions().get(0);
    assertThat(crd.getMetadata().getName()).isEqualTo("auditlogreplaypolicies.konnectreplay.io");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(v1alpha1.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
        .containsExactly("Region", "Portal", "Webhook", "Last healthy", "Open gap", "Age");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("alrp");
    assertThat(crd.getSpec().getNames().getCategories()).containsExactly("konnectreplay");
    assertThat(v1alpha1.getSubresources().getStatus()).isNotNull();
    var spec = v1alpha1.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getRequired()).containsExactlyInAnyOrder("region", "konnect");
    assertThat(spec.getProperties().get("checkInterval").getDefault().asText()).isEqualTo("1m");
    assertThat(spec.getProperties().get("margin").getDefault().asText()).isEqualTo("5m");
    assertThat(spec.getProperties().get("successfulJobsHistoryLimit").getDefault().asInt()).isEqualTo(3);
    assertThat(spec.getProperties().get("failedJobsHistoryLimit").getDefault().asInt()).isEqualTo(1);
    assertThat(v1alpha1.getSchema().getOpenAPIV3Schema().getProperties().get("status").getProperties().get("gaps")
        .getMaxItems()).isEqualTo(10L);
  }

  @Test
  void printerColumnsComeInTheDeclaredOrder() {
    CustomResourceDefinition crd = CrdManifest.load();
    CustomResourceDefinitionVersion v1alpha1 = crd.getSpec().getVersions().get(0);
    assertThat(v1alpha1.getAdditionalPrinterColumns()).extracting(CustomResourceColumnDefinition::getName)
        .containsExactly("Region", "Portal", "Start", "End", "Phase", "Reason", "Age");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("alrj");
    assertThat(crd.getSpec().getNames().getCategories()).containsExactly("konnectreplay");
    assertThat(v1alpha1.getSubresources().getStatus()).isNotNull();
  }
}
