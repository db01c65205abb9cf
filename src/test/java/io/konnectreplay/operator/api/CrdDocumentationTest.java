package io.konnectreplay.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.konnectreplay.operator.api.v1alpha1.CrdManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** `kubectl explain` shows the CRD's descriptions: every field of the resource has one. */
class CrdDocumentationTest {

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("io.konnectreplay.operator.api.CrdDriftTest#kinds")
  void everyFieldOfTheResourceIsDescribed(CrdManifest.Kind kind) {
    JSONSchemaProps root = CrdManifest.load(kind).getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
    List<String> undocumented = new ArrayList<>();
    if (blank(root)) undocumented.add("(the kind)");
    walk(root, "", undocumented);
    assertThat(undocumented).as("fields without a description").isEmpty();
  }

  private static void walk(JSONSchemaProps schema, String path, List<String> undocumented) {
    Map<String, JSONSchemaProps> properties = schema.getProperties();
    if (properties != null) {
      properties.forEach((name, property) -> {
        String at = path + "." + name;
        if (blank(property) && !List.of(".apiVersion", ".kind", ".metadata").contains(at)) undocumented.add(at);
        walk(property, at, undocumented);
      });
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      walk(schema.getItems().getSchema(), path + "[]", undocumented);
    }
  }

  private static boolean blank(JSONSchemaProps schema) {
    return schema.getDescription() == null || schema.getDescription().isBlank();
  }
}
