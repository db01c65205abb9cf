package io.konnectreplay.operator.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/samples covers what users reach for first; that the jobs are admitted is CrdValidationTest's job. */
class SamplesTest {
  final List<HasMetadata> samples = load();

  static List<HasMetadata> load() {
    List<HasMetadata> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(DeployFiles.root().resolve("deploy/samples"))) {
      files.sorted().forEach(f -> all.addAll(DeployFiles.parseAll(DeployFiles.read(f))));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return all;
  }

  List<GenericKubernetesResource> jobs() {
    // Generic on purpose: the same whether or not the API class is registered with fabric8.
    return samples.stream().filter(o -> o.getKind().equals("AuditLogReplayJob"))
        .map(o -> DeployFiles.SERIALIZATION.convertValue(o, GenericKubernetesResource.class)).toList();
  }

  @Test
  void aPolicySampleUsesTheSampleSecretWithinTheCrdsBounds() {
    List<GenericKubernetesResource> policies = samples.stream()
        .filter(o -> o.getKind().equals("AuditLogReplayPolicy"))
        .map(o -> DeployFiles.SERIALIZATION.convertValue(o, GenericKubernetesResource.class)).toList();
    assertThat(policies).isNotEmpty().allSatisfy(p -> {
      assertThat(p.getMetadata().getNamespace()).isEqualTo("samples");
      Map<String, Object> authRef = p.get("spec", "konnect", "authRef");
      assertThat(authRef.get("name")).isEqualTo("konnect-token");
      var interval = io.konnectreplay.operator.config.GoDuration.parse(p.get("spec", "checkInterval"));
      assertThat(interval).isBetween(java.time.Duration.ofSeconds(10), java.time.Duration.ofHours(1));
    });
  }

  @Test
  void samplesFolderHoldsNoSecretSoApplyingItNeverOverwritesARealToken() {
    assertThat(samples).noneMatch(o -> o.getKind().equals("Secret"));
  }

  @Test
  void sandboxTokenSecretHoldsATokenUnderKeyToken() {
    Secret secret = DeployFiles.one(
        DeployFiles.parseAll(DeployFiles.read(DeployFiles.root().resolve("deploy/sandbox-token/konnect-token-secret.yaml"))),
        Secret.class);
    assertThat(secret.getMetadata().getName()).isEqualTo("konnect-token");
    assertThat(secret.getData()).containsKey("token");
    assertThat(new String(Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8))
        .startsWith("kpat_");
  }

  @Test
  void theFolderCreatesItsOwnNamespaceFirst() throws IOException {
    try (Stream<Path> files = Files.list(DeployFiles.root().resolve("deploy/samples"))) {
      // kubectl apply -f takes a folder's files in name order
      Path first = files.sorted().findFirst().orElseThrow();
      HasMetadata namespace = DeployFiles.one(DeployFiles.parseAll(DeployFiles.read(first)),
          io.fabric8.kubernetes.api.model.Namespace.class);
      assertThat(namespace.getMetadata().getName()).isEqualTo("samples");
    }
  }

  @Test
  void everyJobUsesTheSampleSecretInTheSamplesNamespace() {
    assertThat(jobs()).hasSizeGreaterThanOrEqualTo(5).allSatisfy(job -> {
      assertThat(job.getMetadata().getNamespace()).isEqualTo("samples");
      Map<String, Object> authRef = job.get("spec", "konnect", "authRef");
      assertThat(authRef.get("name")).isEqualTo("konnect-token");
      assertThat(authRef.getOrDefault("key", "token")).isEqualTo("token");
    });
    assertThat(jobs()).extracting(j -> j.getMetadata().getName()).doesNotHaveDuplicates();
  }

  @Test
  void everyWindowIsALookbackSoNoSampleGoesStale() {
    assertThat(jobs()).allSatisfy(j -> {
      assertThat((Object) j.get("spec", "window", "startAt")).as(j.getMetadata().getName()).isNull();
      assertThat((Object) j.get("spec", "window", "endAt")).as(j.getMetadata().getName()).isNull();
      assertThat((String) j.get("spec", "window", "lookback")).isNotBlank();
    }).anySatisfy(j -> assertThat((String) j.get("spec", "window", "lookback")).isEqualTo("24h"));
  }

  @Test
  void sandboxTokenSecretCarriesTheLabelTheOperatorWatches() {
    Secret secret = DeployFiles.one(DeployFiles.parseAll(DeployFiles.read(
        DeployFiles.root().resolve("deploy/sandbox-token/konnect-token-secret.yaml"))), Secret.class);
    assertThat(secret.getMetadata().getLabels()).containsEntry(
        io.konnectreplay.operator.reconciler.TokenLookup.CREDENTIAL_LABEL,
        io.konnectreplay.operator.reconciler.TokenLookup.CREDENTIAL_LABEL_VALUE);
    assertThat(secret.getMetadata().getNamespace()).as("the sandbox puts it in each namespace").isNull();
  }

  @Test
  void coversOrganizationJobsAndTwoJobsOnOnePortal() {
    assertThat(jobs()).anySatisfy(j -> assertThat((Object) j.get("spec", "portalID")).isNull());
    Map<Object, Long> perPortal = jobs().stream().filter(j -> j.get("spec", "portalID") != null)
        .collect(java.util.stream.Collectors.groupingBy(
            j -> j.get("spec", "region") + "/" + j.get("spec", "portalID"), java.util.stream.Collectors.counting()));
    assertThat(perPortal).containsValue(2L);
  }
}
