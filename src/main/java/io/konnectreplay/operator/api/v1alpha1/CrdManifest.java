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
 * the printer columns in the order they are declared on the resource class — the generator does not keep it,
 * and kubectl shows columns in CRD order — and the descriptions of the kind, spec and status (from their classes'
 * {@link JsonClassDescription}), which it leaves out.
 */
public final class CrdManifest {
  public static final String FILE_NAME = AuditLogReplayJob.CRD_NAME + "-v1.yml";
  public static final String POLICY_FILE_NAME = AuditLogReplayPolicy.CRD_NAME + "-v1.yml";

  /** One kind of this package: its resource, spec and status classes, and its condition types as docs name them. */
  public record Kind(String fileName, Class<?> resource, Class<?> spec, Class<?> status, String conditionTypes) {}

  public static final Kind JOB = new Kind(FILE_NAME, AuditLogReplayJob.class, AuditLogReplayJobSpec.class,
      AuditLogReplayJobStatus.class, "Ready, Reconciling, Stalled, Complete or Failed.");
  public static final Kind POLICY = new Kind(POLICY_FILE_NAME, AuditLogReplayPolicy.class,
      AuditLogReplayPolicySpec.class, AuditLogReplayPolicyStatus.class, "Ready, Healing, Stalled or DataLost.");
  /** Every CRD the project ships, in file-name order. */
  public static final java.util.List<Kind> KINDS = java.util.List.of(JOB, POLICY);
  private static final String HEADER = "# Generated from src/main/java/io/konnectreplay/operator/api/v1alpha1 at build time."
      + " Do not edit:\n# run `mvn -B verify -Dcrds.update=true` to refresh this file and the Helm chart's copy.\n";

  /** Descriptions for the fields of fabric8's Condition, which carries none. */
  private static java.util.Map<String, String> conditionFields(Kind kind) {
    return java.util.Map.of(
      "type", kind.conditionTypes(),
      "status", "True, False or Unknown.",
      "reason", "A CamelCase code for the condition's state; the README's troubleshooting table lists each.",
      "message", "What happened and, for a problem, what to do about it.",
      "lastTransitionTime", "When the condition last changed status.",
      "observedGeneration", "The metadata.generation the condition was computed from.");
  }

  private CrdManifest() {}

  /** The job's CRD. */
  public static CustomResourceDefinition load() { return load(JOB); }

  public static CustomResourceDefinition load(Kind kind) {
    KubernetesSerialization serialization = new KubernetesSerialization();
    String generated = "/META-INF/fabric8/" + kind.fileName();
    try (InputStream in = CrdManifest.class.getResourceAsStream(generated)) {
      if (in == null) throw new IllegalStateException(generated + " is missing: build with Maven (process-classes)");
      CustomResourceDefinition crd = serialization.unmarshal(new String(in.readAllBytes(), StandardCharsets.UTF_8),
          CustomResourceDefinition.class);
      List<String> order = Arrays.stream(kind.resource().getAnnotationsByType(AdditionalPrinterColumn.class))
          .map(AdditionalPrinterColumn::name).toList();
      for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
        List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
        columns.sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
        version.setAdditionalPrinterColumns(columns);
        JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
        describe(root, kind.resource());
        describe(root.getProperties().get("spec"), kind.spec());
        describe(root.getProperties().get("status"), kind.status());
        JSONSchemaProps conditions = root.getProperties().get("status").getProperties().get("conditions");
        if (conditions != null && conditions.getItems() != null && conditions.getItems().getSchema() != null) {
          conditionFields(kind).forEach((field, text) -> {
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

  /** The job's YAML text committed under crds/. */
  public static String yaml() { return yaml(JOB); }

  /** The YAML text committed under crds/ for {@code kind}. */
  public static String yaml(Kind kind) {
    return HEADER + new KubernetesSerialization().asYaml(load(kind));
  }
}
