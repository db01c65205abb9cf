package io.konnectreplay.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.konnectreplay.operator.api.v1alpha1.CrdManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed CRD copies must be exactly what the build generates from the Java classes. */
class CrdDriftTest {

  static final Path BASEDIR = Path.of(System.getProperty("project.basedir", "."));
  static final Path ROOT_COPY = BASEDIR.resolve("crds").resolve(CrdManifest.FILE_NAME);
  /** The chart renders its CRD template from this file (Helm reads only files inside the chart). */
  static final Path CHART_COPY = BASEDIR.resolve("helm/konnect-replay-operator/files/crds")
      .resolve(CrdManifest.FILE_NAME);
  /** kustomize only reads files below its folder, so the base keeps a copy too. */
  static final Path KUSTOMIZE_COPY = BASEDIR.resolve("deploy/base/crds").resolve(CrdManifest.FILE_NAME);

  @Test
  void committedCrdsMatchTheGeneratedOne() throws IOException {
    String generated = CrdManifest.yaml();
    if (Boolean.getBoolean("crds.update")) {
      Files.writeString(ROOT_COPY, generated);
      for (Path copy : new Path[] {CHART_COPY, KUSTOMIZE_COPY}) {
        if (Files.isDirectory(copy.getParent())) Files.writeString(copy, generated);
      }
    }
    assertThat(Files.readString(ROOT_COPY))
        .as("crds/ is stale: run `mvn -B verify -Dcrds.update=true` and commit the result")
        .isEqualTo(generated);
    for (Path copy : new Path[] {CHART_COPY, KUSTOMIZE_COPY}) {
      assertThat(Files.readString(copy)).as(copy + " is stale: run `mvn -B verify -Dcrds.update=true`")
          .isEqualTo(generated);
    }
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
