package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.EventBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kubectl against the sandbox's API, as a user or a GitOps tool talks to it: the CRD's schema and rules refuse
 * at {@code kubectl apply}, Secrets and Namespaces apply twice, {@code apply --server-side} creates then updates,
 * {@code get -w} prints the initial list once, {@code get events} prints the Event columns. Skipped without kubectl,
 * except on CI ({@code CI=true}), where a missing kubectl fails the test.
 */
class KubectlFidelityTest {
  static final String NS = "fidelity";
  @TempDir
  static Path dir;
  static EmbeddedKubernetes k8s;
  static Path kubeconfig;

  @BeforeAll
  static void start() {
    k8s = EmbeddedKubernetes.startForKubectl(0);
    k8s.createNamespace(NS);
    kubeconfig = k8s.writeKubeconfig(dir.resolve("kubeconfig"), NS);
  }

  @AfterAll
  static void stop() {
    if (k8s != null) k8s.close();
  }

  @Test
  void anInvalidJobIsRefusedAtApplyWithTheCrdsMessages() throws Exception {
    Path bad = manifest("bad.yaml", """
        apiVersion: konnectreplay.io/v1alpha1
        kind: AuditLogReplayJob
        metadata:
          name: bad
        spec:
          region: US
          rerunnonce: "2"
          window:
            startAt: 2026-02-30T00:00:00Z
            endAt: 2026-11-20T06:00:00Z
          konnect:
            authRef:
              name: konnect-token
        """);
    Result strict = kubectl("apply", "-f", bad.toString());
    assertThat(strict.exit()).isNotZero();
    assertThat(strict.out()).contains("strict decoding error: unknown field \"spec.rerunnonce\"");

    Result pruned = kubectl("apply", "--validate=false", "-f", bad.toString());
    assertThat(pruned.exit()).isNotZero();
    assertThat(pruned.out()).contains("The AuditLogReplayJob \"bad\" is invalid",
        "spec.region: Invalid value: \"US\": spec.region in body should match '^[a-z]{2}$'",
        "spec.window: Invalid value: \"object\": string to timestamp conversion error: parsing time"
            + " \"2026-02-30T00:00:00Z\"", "evaluating rule: endAt must be later than startAt")
        .doesNotContain("rerunnonce");
    assertThat(kubectl("get", "alrj", "bad").exit()).as("nothing was stored").isNotZero();

    Path typo = manifest("typo.yaml", """
        apiVersion: konnectreplay.io/v1alpha1
        kind: AuditLogReplayJob
        metadata:
          name: typo
        spec:
          region: us
          window:
            lookbak: 1h
          konnect:
            authRef:
              name: konnect-token
        """);
    Result empty = kubectl("apply", "--validate=warn", "-f", typo.toString());
    assertThat(empty.exit()).isNotZero();
    assertThat(empty.out()).contains("Warning: unknown field \"spec.window.lookbak\"", "spec.window: Invalid value:"
        + " \"object\": set either both startAt and endAt, or lookback alone: exactly one window form");
  }

  @Test
  void aSecretAndANamespaceApplyTwice() throws Exception {
    Path secret = manifest("secret.yaml", """
        apiVersion: v1
        kind: Secret
        metadata:
          name: konnect-token
          labels:
            team: siem
        stringData:
          token: kpat_first
        """);
    assertThat(ok("apply", "-f", secret.toString())).contains("secret/konnect-token created");
    Files.writeString(secret, Files.readString(secret).replace("kpat_first", "kpat_second").replace("siem", "audit"));
    assertThat(ok("apply", "-f", secret.toString())).contains("secret/konnect-token configured");
    assertThat(ok("get", "secret", "konnect-token", "-o", "jsonpath={.data.token} {.metadata.labels.team}"))
        .isEqualTo(java.util.Base64.getEncoder().encodeToString("kpat_second".getBytes(StandardCharsets.UTF_8))
            + " audit");

    Path namespace = manifest("namespace.yaml", """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: tenant-a
          labels:
            tier: one
        """);
    assertThat(ok("apply", "-f", namespace.toString())).contains("namespace/tenant-a created");
    Files.writeString(namespace, Files.readString(namespace).replace("tier: one", "tier: two"));
    assertThat(ok("apply", "-f", namespace.toString())).contains("namespace/tenant-a configured");
    assertThat(ok("apply", "-f", namespace.toString())).contains("namespace/tenant-a unchanged");
    assertThat(ok("get", "ns", "tenant-a", "-o", "jsonpath={.metadata.labels.tier}")).isEqualTo("two");
  }

  @Test
  void applyServerSideCreatesThenUpdates() throws Exception {
    Path job = manifest("ssa.yaml", """
        apiVersion: konnectreplay.io/v1alpha1
        kind: AuditLogReplayJob
        metadata:
          name: flux-applied
        spec:
          region: eu
          rerunNonce: "1"
          window:
            lookback: 2h
          konnect:
            authRef:
              name: konnect-token
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: flux-token
        stringData:
          token: kpat_flux
        """);
    assertThat(ok("apply", "--server-side", "-f", job.toString())).contains(
        "auditlogreplayjob.konnectreplay.io/flux-applied serverside-applied", "secret/flux-token serverside-applied");
    Files.writeString(job, Files.readString(job).replace("  rerunNonce: \"1\"\n", ""));
    assertThat(ok("apply", "--server-side", "-f", job.toString())).contains(
        "auditlogreplayjob.konnectreplay.io/flux-applied serverside-applied", "secret/flux-token serverside-applied");
    assertThat(ok("get", "alrj", "flux-applied", "-o", "jsonpath={.spec.region} {.spec.rerunNonce}|"
        + "{.metadata.generation}|{.metadata.managedFields[0].manager}")).isEqualTo("eu |2|kubectl");
    Files.writeString(job, Files.readString(job).replace("region: eu", "region: EU"));
    Result refused = kubectl("apply", "--server-side", "-f", job.toString());
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.out()).contains("spec.region: Invalid value: \"EU\"");
  }

  @Test
  void getWatchPrintsTheInitialListOnceThenTheChanges() throws Exception {
    for (String name : List.of("watched-a", "watched-b")) {
      ok("apply", "-f", manifest(name + ".yaml", job(name, "1h")).toString());
    }
    Path out = dir.resolve("watch.txt");
    Process watch = new ProcessBuilder(kubectlPath(), "--kubeconfig", kubeconfig.toString(), "get", "alrj", "-w")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(out).contains("watched-b"));
      ok("apply", "-f", manifest("watched-c.yaml", job("watched-c", "2h")).toString());
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(out).contains("watched-c"));
      // a change that kubectl get -w prints: the new version of watched-a
      ok("annotate", "alrj", "watched-a", "note=changed");
      await().atMost(Duration.ofSeconds(10)).until(() -> lines(out, "watched-a ") >= 2);
      assertThat(lines(out, "watched-a ")).as(Files.readString(out)).isEqualTo(2);
      assertThat(lines(out, "watched-b ")).as(Files.readString(out)).isEqualTo(1);
      assertThat(lines(out, "watched-c ")).isEqualTo(1);
      assertThat(lines(out, "NAME ")).isEqualTo(1);
    } finally {
      watch.destroy();
      watch.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void getEventsPrintsTheEventColumns() throws Exception {
    Instant now = Instant.now();
    k8s.client().v1().events().inNamespace(NS).resource(new EventBuilder().withNewMetadata().withName("job.1")
        .withNamespace(NS).endMetadata().withType("Warning").withReason("InvalidSpec")
        .withMessage("spec.window: endAt must be later than startAt").withNewInvolvedObject()
        .withKind("AuditLogReplayJob").withName("my-replay").withNamespace(NS).endInvolvedObject()
        .withFirstTimestamp(now.minusSeconds(30).toString()).withLastTimestamp(now.toString()).withCount(2)
        .withNewSource().withComponent("konnect-replay-operator").endSource().build()).create();
    String events = ok("get", "events");
    assertThat(events.lines().findFirst().orElse("")).containsSubsequence("LAST SEEN", "TYPE", "REASON", "OBJECT",
        "MESSAGE");
    assertThat(events).contains("Warning", "InvalidSpec", "auditlogreplayjob/my-replay",
        "spec.window: endAt must be later than startAt");
    assertThat(ok("get", "events", "-o", "wide")).contains("konnect-replay-operator", "job.1");
  }

  // ---- kubectl -----------------------------------------------------------------------------------------------

  static String job(String name, String lookback) {
    return """
        apiVersion: konnectreplay.io/v1alpha1
        kind: AuditLogReplayJob
        metadata:
          name: %s
        spec:
          region: us
          window:
            lookback: %s
          konnect:
            authRef:
              name: konnect-token
        """.formatted(name, lookback);
  }

  static long lines(Path file, String prefix) throws IOException {
    return Files.readString(file).lines().filter(l -> l.startsWith(prefix)).count();
  }

  static Path manifest(String name, String yaml) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  record Result(int exit, String out) {}

  static String ok(String... args) throws Exception {
    Result r = kubectl(args);
    assertThat(r.exit()).as(String.join(" ", args) + ":\n" + r.out()).isZero();
    return r.out();
  }

  static Result kubectl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(kubectlPath(), "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out);
  }

  /** kubectl on PATH; skips the test without it, except on CI, where it must be there. */
  static String kubectlPath() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String entry : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(entry, "kubectl");
        if (Files.isExecutable(candidate)) return candidate.toString();
      }
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new AssertionError("kubectl is not on PATH (CI=true)");
    assumeTrue(false, "kubectl is not on PATH: skipping the kubectl checks of the sandbox");
    return null;
  }
}
