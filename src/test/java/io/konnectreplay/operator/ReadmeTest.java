package io.konnectreplay.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.reconciler.Reasons;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README documents every setting and has a troubleshooting row for every condition reason. */
class ReadmeTest {
  static final Path README = Path.of(System.getProperty("project.basedir", ".")).resolve("README.md");

  @Test
  void everySettingIsDocumented() throws Exception {
    String readme = Files.readString(README);
    for (OperatorSettings.Setting setting : OperatorSettings.SETTINGS) {
      assertThat(readme).as("README documents " + setting.env())
          .contains("| `" + setting.env() + "` | `" + setting.flag() + "` |");
    }
  }

  @Test
  void everyReasonHasATroubleshootingRow() throws Exception {
    String readme = Files.readString(README);
    for (Field f : Reasons.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
        String reason = (String) f.get(null);
        assertThat(readme).as("README troubleshooting row for " + reason).contains("| `" + reason + "` |");
      }
    }
  }

  @Test
  void readmeShowsTheTwoCommands() throws Exception {
    String readme = Files.readString(README);
    assertThat(readme).contains("mvn -B verify").contains("java -jar target/konnect-replay-operator.jar sandbox");
  }
}
