package io.konnectreplay.operator.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Where the deployment files live, and how to turn them into typed Kubernetes objects. */
final class DeployFiles {
  static final String RELEASE = "konnect-replay-operator";
  static final String NAMESPACE = "konnect-replay-operator";
  static final String KUBE_VERSION = "v1.32.0";
  static final String CRD_FILE = "auditlogreplayjobs.konnectreplay.io-v1.yml";

  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private DeployFiles() {}

  static Path root() {
    String basedir = System.getProperty("project.basedir");
    Path dir = Path.of(basedir != null ? basedir : System.getProperty("user.dir")).toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("pom.xml"))) {
      throw new IllegalStateException("not the project directory: " + dir);
    }
    return dir;
  }

  static Path chart() {
    return root().resolve("helm/konnect-replay-operator");
  }

  static Path rootCrd() {
    return root().resolve("crds").resolve(CRD_FILE);
  }

  /** Every CRD committed in crds/, as objects. */
  static java.util.List<io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition> rootCrds() {
    try (var files = Files.list(root().resolve("crds"))) {
      return files.filter(f -> f.toString().endsWith(".yml")).sorted()
          .map(f -> SERIALIZATION.unmarshal(read(f),
              io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition.class))
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A YAML document as plain maps and lists. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yamlMap(String yaml) {
    return SERIALIZATION.unmarshal(yaml, Map.class);
  }

  /** Splits a multi-document YAML stream and reads each non-empty document as a typed object. */
  static List<HasMetadata> parseAll(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      boolean empty = doc.lines().map(String::strip).allMatch(l -> l.isEmpty() || l.startsWith("#"));
      if (!empty) objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
    }
    return objects;
  }

  /** {@code helm template} of the chart with the release name and namespace used everywhere in these tests. */
  static String helmTemplate(String... valuesYaml) {
    TemplateCommand command = new Helm(chart()).template().withName(RELEASE).withNamespace(NAMESPACE)
        // helm-java defaults to Kubernetes 1.20, older than the chart's kubeVersion floor
        .withKubeVersion(KUBE_VERSION);
    for (String values : valuesYaml) {
      try {
        Path file = Files.createTempFile("values-", ".yaml");
        file.toFile().deleteOnExit();
        Files.writeString(file, values);
        command = command.withValuesFile(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return command.call();
  }

  static List<HasMetadata> render(String... valuesYaml) {
    return parseAll(helmTemplate(valuesYaml));
  }

  /** {@code kubectl kustomize DIR}, or empty when kubectl is not installed. */
  static Optional<String> kustomize(Path dir) throws IOException, InterruptedException {
    ProcessBuilder builder;
    try {
      builder = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false);
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("kubectl kustomize " + dir + " timed out");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("kubectl kustomize " + dir + " failed: " + err);
      }
      return Optional.of(new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("error=2")) return Optional.empty(); // no such file
      throw e;
    }
  }

  static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
    return one(objects, type, o -> true);
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, Predicate<T> filter) {
    List<T> found = ofKind(objects, type).stream().filter(filter).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected exactly one " + type.getSimpleName() + " but found " + found.size()
          + ": " + found.stream().map(o -> o.getMetadata().getName()).toList());
    }
    return found.get(0);
  }
}
