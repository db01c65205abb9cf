package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.konnectreplay.operator.config.OperatorSettings;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The image and the manifests agree on user, port, jar and JVM options. */
class DockerfileTest {
  final String dockerfile = DeployFiles.read(DeployFiles.root().resolve("Dockerfile"));

  private String instruction(String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\s+(.+)$").matcher(dockerfile);
    assertThat(m.find()).as("Dockerfile has %s", name).isTrue();
    return m.group(1).strip();
  }

  @Test
  void runsTheImageJarAsTheChartsNonRootUser() {
    assertThat(instruction("FROM")).isEqualTo("${BASE_IMAGE}");
    // a Temurin 17 JRE, pinned by the digest of its index so a rebuild takes the same bytes
    assertThat(instruction("ARG")).matches("BASE_IMAGE=eclipse-temurin:17-jre@sha256:[0-9a-f]{64}");
    // the image jar (operator only), under the name the chart and the entrypoint use
    assertThat(instruction("COPY")).isEqualTo(
        "target/konnect-replay-operator-image.jar /app/konnect-replay-operator.jar");
    assertThat(instruction("ENTRYPOINT")).isEqualTo("[\"java\", \"-jar\", \"/app/konnect-replay-operator.jar\"]");
    assertThat(instruction("EXPOSE")).isEqualTo(OperatorSettings.DEFAULTS.get("HTTP_PORT"));

    String user = instruction("USER");
    assertThat(user).matches("[1-9][0-9]*:[0-9]+");
    var pod = DeployFiles.one(DeployFiles.render(), Deployment.class).getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(Long.parseLong(user.split(":")[0]));
    assertThat(pod.getSecurityContext().getRunAsGroup()).isEqualTo(Long.parseLong(user.split(":")[1]));
    assertThat(instruction("ENV")).isEqualTo("JAVA_TOOL_OPTIONS=\""
        + HelmChartTest.env(DeployFiles.one(DeployFiles.render(), Deployment.class)).get("JAVA_TOOL_OPTIONS") + "\"");
  }

  @Test
  void buildContextIsOnlyTheJar() {
    List<String> lines = DeployFiles.read(DeployFiles.root().resolve(".dockerignore")).lines()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(lines).containsExactly("*", "!target/konnect-replay-operator-image.jar");
  }
}
