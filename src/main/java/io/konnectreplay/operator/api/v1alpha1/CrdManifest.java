package io.konnectreplay.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The CRD as shipped in {@code crds/}: fabric8's generated CRD (from the classes in this package, at build time) with
 * the printer columns in the order they are declared on {@link AuditLogReplayJob} — the generator does not keep it,
 * and kubectl shows columns in CRD order — and the descriptions of the kind, spec and status (from their classes'
 * {@link JsonClassDescription}), which it leaves out.
 */
public final class CrdManifest {
  public static final String FILE_NAME = AuditLogReplayJob.CRD_NAME + "-v1.yml";
  private static final String GENERATED = "/META-INF/fabric8/" + FILE_NAME;
  private static final String HEADER = "# Generated from src/main/java/io/konnectreplay/operator/api/v1alpha1 at build time."
      + " Do not edit:\n# run `mvn -B verify -Dcrds.update=true` to refresh this file and the Helm chart's copy.\n";

  /** Descriptions for the fields of fabric8's Condition, which carries none. */
  private static final java.util.Map<String, String> CONDITION_FIELDS = java.util.Map.of(
      "type", "Ready, Reconciling, Stalled, Complete or Failed.",
      "status", "True, False or Unknown.",
      "reason", "A CamelCase code for the condition's state; the README's troubleshooting table lists each.",
      "message", "What happened and, for a problem, what to do about it.",
      "lastTransitionTime", "When the condition last changed status.",
      "observedGeneration", "The metadata.generation the condition was computed from.");

  private CrdManifest() {}

  public static CustomResourceDefinition load() {
    KubernetesSerialization serialization = new KubernetesSerialization();
    try (InputStream in = CrdManifest.class.getResourceAsStream(GENERATED)) {
      if (in == null) throw new IllegalStateException(GENERATED + " is missing: build with Maven (process-classes)");
      CustomResourceDefinition crd = serialization.unmarshal(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          CustomResourceDefinition.class);
      List<String> order = Arrays.stream(AuditLogReplayJob.class.getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name).toList();
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
        columns.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
        version.setAdditionalPrinterColumns(columns);
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        describe(root, AuditLogReplayJob.class);
        describe(root.getProperties().get("spec"), AuditLogReplayJobSpec.class);
        describe(root.getProperties().get("status"), AuditLogReplayJobStatus.class);
        JSONSchemaProps conditions = root.getProperties().get("status").getProperties().get("conditions");
        if (conditions != null && conditions.getItems() != null && conditions.getItems().getSchema() != null) {
          CONDITION_FIELDS.forEach((field, text) -> {
            JSONSchemaProps property = conditions.getItems().getSchema().getProperties().get(field);
            if (property != null && property.getDescription() == null) property.setDescription(text);
          });
        }
      }
      return crd;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The generator leaves the kind, spec and status undocumented; their classes' descriptions fill the gap. */
  private static void describe(JSONSchemaProps schema, Class<?> type) {
    JsonClassDescription description = type.getAnnotation(JsonClassDescription.class);
    if (schema != null && description != null && schema.getDescription() == null) {
      schema.setDescription(description.value());
    }
  }

  /** The YAML text committed under crds/. */
  public static String yaml() {
    return HEADER + new KubernetesSerialization().asYaml(load());
  }
}
