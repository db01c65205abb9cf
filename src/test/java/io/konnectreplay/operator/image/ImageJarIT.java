package io.konnectreplay.operator.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.konnectreplay.operator.sandbox.EmbeddedKubernetes;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the package phase built: the image jar holds the operator and its runtime dependencies only, and runs it; the
 * full jar still holds the tooling; the SBOM lists what the image jar holds.
 */
class ImageJarIT {
  static final Path TARGET = Path.of(System.getProperty("project.build.directory", "target"));
  static final Path IMAGE_JAR = TARGET.resolve("konnect-replay-operator-image.jar");
  static final Path FULL_JAR = TARGET.resolve("konnect-replay-operator.jar");
  static final Path SBOM = TARGET.resolve("konnect-replay-operator-image.bom.json");

  /** Tooling and what only tooling needs: none of it may be in the image. */
  static final List<String> TOOLING_PREFIXES = List.of(
      "io/konnectreplay/operator/sandbox/", "io/konnectreplay/operator/emulator/", "io/konnectreplay/operator/bench/",
      "samples/", "io/fabric8/kubernetes/client/server/mock/", "io/fabric8/mockwebserver/", "io/vertx/", "io/netty/",
      "org/bouncycastle/", "dev/cel/", "com/google/");

  @TempDir Path tmp;

  static Set<String> entries(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(e -> e.getName()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void theImageJarHoldsTheOperatorAndNoTooling() throws IOException {
    Set<String> image = entries(IMAGE_JAR);
    for (String prefix : TOOLING_PREFIXES) {
      assertThat(image).as("image jar entries under " + prefix).noneMatch(e -> e.startsWith(prefix));
    }
    assertThat(image).contains("io/konnectreplay/operator/Main.class",
        "io/konnectreplay/operator/reconciler/AuditLogReplayJobReconciler.class",
        "io/javaoperatorsdk/operator/Operator.class", "io/fabric8/kubernetes/client/jdkhttp/JdkHttpClientFactory.class",
        "okhttp3/OkHttpClient.class", "picocli/CommandLine.class", "logback.xml", "logback-json.xml");
    try (JarFile file = new JarFile(IMAGE_JAR.toFile())) {
      assertThat(file.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.konnectreplay.operator.Main");
    }
  }

  @Test
  void theFullJarStillHoldsTheTooling() throws IOException {
    Set<String> full = entries(FULL_JAR);
    assertThat(full).contains("io/konnectreplay/operator/sandbox/SandboxCommand.class",
        "io/konnectreplay/operator/emulator/EmulatorCommand.class",
        "io/konnectreplay/operator/bench/BenchmarkCommand.class",
        "io/fabric8/kubernetes/client/server/mock/KubernetesMockServer.class", "io/vertx/core/Vertx.class",
        "io/netty/channel/Channel.class", "org/bouncycastle/jce/provider/BouncyCastleProvider.class",
        "io/javaoperatorsdk/operator/Operator.class");
    assertThat(full).anyMatch(e -> e.startsWith("samples/") && e.endsWith(".yaml"));
    assertThat(full).noneMatch(e -> e.matches("META-INF/[^/]+\\.(SF|DSA|RSA)"));
    assertThat(Files.size(IMAGE_JAR)).isLessThan(Files.size(FULL_JAR) * 7 / 10);
  }

  @Test
  void theSbomListsTheImageJarsDependenciesAndNoTooling() throws IOException {
    // the plugin skips in offline mode (mvn -o), which would leave an SBOM of an earlier build
    assertThat(SBOM).as("the SBOM (the CycloneDX plugin runs only online, not with mvn -o)").exists();
    assertThat(Files.getLastModifiedTime(SBOM).toMillis()).as("the SBOM is of this build, not an earlier one:"
        + " the CycloneDX plugin skips under mvn -o").isGreaterThanOrEqualTo(
            Files.getLastModifiedTime(IMAGE_JAR).toMillis() - 1_000);
    JsonNode bom = new ObjectMapper().readTree(SBOM.toFile());
    assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
    Set<String> components = new TreeSet<>();
    bom.path("components").forEach(c -> components.add(c.path("group").asText() + ":" + c.path("name").asText()));
    assertThat(components).contains("com.squareup.okhttp3:okhttp-jvm", "io.javaoperatorsdk:operator-framework",
        "io.fabric8:kubernetes-client", "info.picocli:picocli", "ch.qos.logback:logback-classic");
    assertThat(components).noneMatch(c -> c.startsWith("io.fabric8:kubernetes-server-mock")
        || c.startsWith("io.fabric8:mockwebserver") || c.startsWith("io.vertx:") || c.startsWith("io.netty:")
        || c.startsWith("org.bouncycastle:") || c.startsWith("dev.cel:") || c.startsWith("org.junit")
        || c.startsWith("net.jqwik:") || c.startsWith("com.squareup.okhttp3:mockwebserver"));
    // every dependency the shade plugin put in the image jar with its Maven coordinates is in the SBOM
    for (String embedded : embeddedArtifacts(IMAGE_JAR)) {
      assertThat(components).as("SBOM lists " + embedded).contains(embedded);
    }
  }

  /** groupId:artifactId of every dependency whose pom.properties the jar carries (not all jars have one). */
  static Set<String> embeddedArtifacts(Path jar) throws IOException {
    Pattern pom = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");
    Set<String> artifacts = new TreeSet<>();
    for (String e : entries(jar)) {
      Matcher m = pom.matcher(e);
      if (m.matches() && !m.group(2).equals("konnect-replay-operator")) artifacts.add(m.group(1) + ":" + m.group(2));
    }
    return artifacts;
  }

  @Test
  void aToolingCommandInTheImageJarIsOneLine() throws Exception {
    for (String command : List.of("sandbox", "emulator", "bench")) {
      Result r = java(Map.of(), command, "--help");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err().lines()).containsExactly(
          command + " is not in this jar; use konnect-replay-operator.jar from a source build");
    }
    Result help = java(Map.of(), "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("run").contains("sandbox");
  }

  @Test
  void theImageJarRefusesATypoAndSaysWhenThereIsNoCluster() throws Exception {
    Result typo = java(Map.of(), "--pol-interval-max=5s");
    assertThat(typo.code()).isEqualTo(2);
    assertThat(typo.err()).contains("Unknown option: '--pol-interval-max=5s'");
    Result noCluster = java(Map.of("HOME", tmp.toString()));
    assertThat(noCluster.code()).isEqualTo(1);
    assertThat(noCluster.err().lines()).singleElement().asString().contains("KUBECONFIG").contains("sandbox");
  }

  @Test
  void theImageJarRunsTheOperatorAgainstAnApiServer() throws Exception {
    int httpPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      httpPort = socket.getLocalPort();
    }
    EmbeddedKubernetes kubernetes = EmbeddedKubernetes.start(0);
    Process process = null;
    try {
      Path kubeconfig = kubernetes.writeKubeconfig(tmp.resolve("kubeconfig"), "default");
      Path log = tmp.resolve("operator.log");
      process = command(Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", tmp.toString()),
          "--http-port=" + httpPort).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      HttpClient http = HttpClient.newHttpClient();
      Process running = process;
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        assertThat(running.isAlive()).as(Files.readString(log)).isTrue();
        assertThat(Files.readString(log)).contains("konnect-replay-operator started");
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
            + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
      });
      HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(metrics.body()).contains("konnect_replay");
      assertThat(Files.readString(log)).doesNotContain("ClassNotFoundException").doesNotContain("NoClassDefFoundError");
    } finally {
      if (process != null) {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
      }
      kubernetes.close();
    }
  }

  record Result(int code, String out, String err) {}

  /** {@code java -jar} the image jar, environment cleared of the variables this machine might set for it. */
  static ProcessBuilder command(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m"));
    // the JVM takes its home from the user database, not from HOME: a ~/.kube/config there must not count
    if (env.containsKey("HOME")) command.add("-Duser.home=" + env.get("HOME"));
    command.addAll(List.of("-jar", IMAGE_JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("KUBE") || k.equals("HOME")
        || io.konnectreplay.operator.config.OperatorSettings.DEFAULTS.containsKey(k));
    builder.environment().putAll(env);
    return builder;
  }

  static Result java(Map<String, String> env, String... args) throws Exception {
    Process p = command(env, args).start();
    p.getOutputStream().close();
    byte[] out;
    byte[] err;
    try (InputStream o = p.getInputStream(); InputStream e = p.getErrorStream()) {
      err = e.readAllBytes();
      out = o.readAllBytes();
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }
}
