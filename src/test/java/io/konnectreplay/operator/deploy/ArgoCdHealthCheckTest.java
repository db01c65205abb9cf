package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs the Argo CD health check over every case of its health_test.yaml, as Argo CD's own tests do. */
class ArgoCdHealthCheckTest {
  static final Path CHECKS = DeployFiles.root().resolve("deploy/argocd/konnectreplay.io");
  static final List<String> KINDS = List.of("AuditLogReplayJob", "AuditLogReplayPolicy");

  record Health(String status, String message) {}

  @SuppressWarnings("unchecked")
  static Stream<Arguments> cases(String kind) {
    Path check = CHECKS.resolve(kind);
    List<Map<String, Object>> tests =
        (List<Map<String, Object>>) DeployFiles.yamlMap(DeployFiles.read(check.resolve("health_test.yaml"))).get("tests");
    return tests.stream().map(t -> {
      Map<String, Object> expected = (Map<String, Object>) t.get("healthStatus");
      return Arguments.of(kind, t.get("inputPath"), expected.get("status"), expected.get("message"));
    });
  }

  static Stream<Arguments> cases() { return KINDS.stream().flatMap(ArgoCdHealthCheckTest::cases); }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("cases")
  void assessesHealth(String kind, String inputPath, String status, String message) {
    Health health = run(kind, DeployFiles.yamlMap(DeployFiles.read(CHECKS.resolve(kind).resolve(inputPath))));
    assertThat(health).isEqualTo(new Health(status, message));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.FieldSource("KINDS")
  void everyTestdataFileIsACase(String kind) throws IOException {
    List<Object> inputs = cases(kind).map(a -> a.get()[1]).toList();
    try (Stream<Path> files = Files.list(CHECKS.resolve(kind).resolve("testdata"))) {
      assertThat(files.map(f -> (Object) ("testdata/" + f.getFileName()))).containsExactlyInAnyOrderElementsOf(inputs);
    }
    assertThat(cases(kind).map(a -> a.get()[2]))
        .contains("Healthy", "Degraded", "Suspended", "Progressing");
  }

  @Test
  @SuppressWarnings("unchecked")
  void argocdConfigMapPatchCarriesTheSameScript() {
    Map<String, Object> patch = DeployFiles.yamlMap(
        DeployFiles.read(DeployFiles.root().resolve("deploy/argocd/argocd-cm-patch.yaml")));
    assertThat(patch).containsEntry("kind", "ConfigMap");
    assertThat((Map<String, Object>) patch.get("metadata")).containsEntry("name", "argocd-cm");
    assertThat((Map<String, Object>) patch.get("data"))
        .containsOnlyKeys(KINDS.stream().map(k -> "resource.customizations.health.konnectreplay.io_" + k).toList());
    for (String kind : KINDS) {
      assertThat((Map<String, Object>) patch.get("data"))
          .containsEntry("resource.customizations.health.konnectreplay.io_" + kind,
              DeployFiles.read(CHECKS.resolve(kind).resolve("health.lua")));
    }
  }

  /** Argo CD runs the script with the resource as the global {@code obj} and reads the returned table. */
  static Health run(String kind, Map<String, Object> resource) {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(resource));
    LuaValue result = globals.load(DeployFiles.read(CHECKS.resolve(kind).resolve("health.lua")), "health.lua").call();
    assertThat(result.istable()).as("health.lua returns a table").isTrue();
    return new Health(result.get("status").optjstring(null), result.get("message").optjstring(null));
  }

  static LuaValue toLua(Object value) {
    if (value == null) return LuaValue.NIL;
    if (value instanceof Map<?, ?> map) {
      LuaTable table = new LuaTable();
      map.forEach((k, v) -> table.set(String.valueOf(k), toLua(v)));
      return table;
    }
    if (value instanceof List<?> list) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < list.size(); i++) table.set(i + 1, toLua(list.get(i)));
      return table;
    }
    if (value instanceof Boolean b) return LuaValue.valueOf(b);
    if (value instanceof Number n) return LuaValue.valueOf(n.doubleValue());
    return LuaValue.valueOf(String.valueOf(value));
  }
}
