package io.konnectreplay.operator.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The manifests of {@code deploy/samples/}, as bundled in the jar under {@code samples/}: read in file-name order,
 * one resource per YAML document.
 */
final class SampleManifests {
  static final String CLASSPATH_DIR = "samples";
  static final String JOB_KIND = "AuditLogReplayJob";
  static final String POLICY_KIND = "AuditLogReplayPolicy";

  /** One resource of one sample file. */
  record Sample(String file, GenericKubernetesResource resource) {
    String kind() { return resource.getKind(); }
    String name() { return resource.getMetadata().getName(); }
    boolean isJob() { return JOB_KIND.equals(kind()); }

    @SuppressWarnings("unchecked")
    Map<String, Object> spec() {
      Object spec = resource.getAdditionalProperties().get("spec");
      return spec instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    String region() { return (String) spec().get("region"); }
    String portalId() { return (String) spec().get("portalID"); }
  }

  private final List<Sample> samples;

  private SampleManifests(List<Sample> samples) {
    this.samples = samples;
  }

  List<Sample> all() { return samples; }

  List<Sample> jobs() { return samples.stream().filter(Sample::isJob).toList(); }

  /** Reads every {@code samples/*.yaml} on the class path (from the jar, or from target/classes in a build). */
  static SampleManifests load() {
    URL dir = SampleManifests.class.getClassLoader().getResource(CLASSPATH_DIR);
    if (dir == null) {
      throw new IllegalStateException("no samples/ on the class path: build the jar with `mvn -B -DskipTests package`");
    }
    try {
      URI uri = dir.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem jar;
        try {
          jar = FileSystems.getFileSystem(uri);
        } catch (FileSystemNotFoundException e) {
          jar = FileSystems.newFileSystem(uri, Map.of());
        }
        return read(jar.getPath("/" + CLASSPATH_DIR));
      }
      return read(Path.of(uri));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the bundled samples", e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static SampleManifests read(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted(
          (a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
    }
    KubernetesSerialization serialization = new KubernetesSerialization();
    List<Sample> samples = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      for (String document : text.split("(?m)^---\\s*$")) {
        if (document.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) continue;
        GenericKubernetesResource resource;
        try (InputStream in = new java.io.ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8))) {
          resource = serialization.unmarshal(in, GenericKubernetesResource.class);
        }
        samples.add(new Sample(file.getFileName().toString(), resource));
      }
    }
    // Namespaces and Secrets first, in file order: the jobs and policies live in the one and refer to the other.
    java.util.function.Predicate<Sample> first = s -> "Namespace".equals(s.kind()) || "Secret".equals(s.kind());
    List<Sample> ordered = new ArrayList<>(samples.stream().filter(first).toList());
    ordered.addAll(samples.stream().filter(first.negate()).toList());
    return new SampleManifests(List.copyOf(ordered));
  }

  /** The token of the sample Secret {@code konnect-token} (key {@code token}): the emulator accepts it. */
  String sampleToken() {
    return samples.stream().filter(s -> "Secret".equals(s.kind()) && "konnect-token".equals(s.name()))
        .map(s -> {
          Object data = s.resource().getAdditionalProperties().get("data");
          if (data instanceof Map<?, ?> m && m.get("token") instanceof String b64) {
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
          }
          Object stringData = s.resource().getAdditionalProperties().get("stringData");
          if (stringData instanceof Map<?, ?> m && m.get("token") instanceof String token) return token;
          return null;
        })
        .filter(t -> t != null && !t.isBlank()).findFirst()
        .orElseThrow(() -> new IllegalStateException("the samples have no Secret konnect-token with a key token"));
  }
}
