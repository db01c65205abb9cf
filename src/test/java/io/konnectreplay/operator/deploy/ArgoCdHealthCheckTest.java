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
  static final Path CHECK = DeployFiles.root().resolve("deploy/argocd/konnectreplay.io/AuditLogReplayJob");

  record Health(String status, String message) {}

  @SuppressWarnings("unchecked")
  static Stream<Arguments> cases() {
    List<Map<String, Object>> tests =
        (List<Map<String, Object>>) DeployFiles.yamlMap(DeployFiles.read(CHECK.resolve("health_test.yaml"))).get("tests");
    return tests.stream().map(t -> {
      Map<String, Object> expected = (Map<String, Object>) t.get("healthStatus");
      return Arguments.of(t.get("inputPath"), expected.get("status"), expected.get("message"));
    });
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("cases")
  void assessesHealth(String inputPath, String status, String message) {
    Health health = run(DeployFiles.yamlMap(DeployFiles.read(CHECK.resolve(inputPath))));
    assertThat(health).isEqualTo(new Health(status, message));
  }

  @Test
  void everyTestdataFileIsACase() throws IOException {
    List<Object> inputs = cases().map(a -> a.get()[0]).toList();
    try (Stream<Path> files = Files.list(CHECK.resolve("testdata"))) {
      assertThat(files.map(f -> (Object) ("testdata/" + f.getFileName()))).containsExactlyInAnyOrderElementsOf(inputs);
    }
    assertThat(cases().map(a -> a.get()[1]))
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
        .containsOnlyKeys("resource.customizations.health.konnectreplay.io_AuditLogReplayJob")
        .containsEntry("resource.customizations.health.konnectreplay.io_AuditLogReplayJob",
            DeployFiles.read(CHECK.resolve("health.lua")));
  }

  /** Argo CD runs the script with the resource as the global {@code obj} and reads the returned table. */
  static Health run(Map<String, Object> resource) {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(resource));
    LuaValue result = globals.load(DeployFiles.read(CHECK.resolve("health.lua")), "health.lua").call();
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
