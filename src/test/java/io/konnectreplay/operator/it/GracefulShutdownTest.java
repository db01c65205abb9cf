package io.konnectreplay.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.konnectreplay.operator.sandbox.EmbeddedKubernetes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator as Kubernetes runs it: its own JVM, `run` against a kubeconfig, leader election on. SIGTERM (what the
 * kubelet sends) stops it promptly and hands the Lease back — JOSDK's exit-on-stop-leading used to deadlock the JVM's
 * shutdown, so the pod sat out its whole grace period. A Lease lost while running ends the process.
 */
class GracefulShutdownTest {
  private static final String IDENTITY = "pod-under-test";
  @TempDir Path dir;
  private EmbeddedKubernetes kubernetes;
  private Process process;

  @AfterEach
  void stop() {
    if (process != null) process.destroyForcibly();
    if (kubernetes != null) kubernetes.close();
  }

  @Test
  void sigtermStopsALeadingOperatorPromptlyAndReleasesTheLease() throws Exception {
    startLeading(Map.of());

    long stopping = System.nanoTime();
    process.destroy(); // SIGTERM
    boolean exited = process.waitFor(15, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);

    assertThat(exited).as("exited within 15 s of SIGTERM; output:\n" + output()).isTrue();
    assertThat(output()).contains("stopping", "released the leader election Lease");
    assertThat(holder()).as("the Lease's holder after the leader stopped").isEmpty();
    System.out.printf("%ngraceful shutdown: exited %d ms after SIGTERM (exit code %d), Lease released%n", millis,
        process.exitValue());
  }

  @Test
  void aLeaseTakenByAnotherInstanceEndsTheProcess() throws Exception {
    startLeading(Map.of("LEADER_ELECTION_LEASE_DURATION", "3s", "LEADER_ELECTION_RENEW_DEADLINE", "2s",
        "LEADER_ELECTION_RETRY_PERIOD", "500ms"));

    // Another instance takes the Lease the way a client does, optimistically: the leader renews every 500 ms, so a
    // write on a copy it has just renewed meets a 409 and is tried again on a fresh copy.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptionsMatching(
        e -> e instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getCode() == 409)
        .until(() -> {
          Lease lease = kubernetes.client().leases().inNamespace("operators").withName("konnect-replay-operator").get();
          lease.getSpec().setHolderIdentity("someone-else");
          lease.getSpec().setLeaseDurationSeconds(60);
          lease.getSpec().setRenewTime(ZonedDateTime.now());
          kubernetes.client().leases().inNamespace("operators").resource(lease).update();
          return true;
        });

    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited; output:\n" + output()).isTrue();
    assertThat(process.exitValue()).isEqualTo(1);
    assertThat(output()).contains("lost the leader election Lease; exiting");
    assertThat(holder()).isEqualTo("someone-else");
  }

  private void startLeading(Map<String, String> settings) throws IOException {
    kubernetes = EmbeddedKubernetes.start(0);
    kubernetes.createNamespace("operators");
    Path kubeconfig = kubernetes.writeKubeconfig(dir.resolve("kubeconfig"), "operators");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.konnectreplay.operator.Main", "run")
        .redirectErrorStream(true).redirectOutput(dir.resolve("operator.log").toFile());
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("LEADER_ELECTION", "true");
    builder.environment().put("POD_NAME", IDENTITY);
    builder.environment().put("POD_NAMESPACE", "operators"); // the Lease's namespace, as the chart sets it
    builder.environment().put("HTTP_PORT", "0");
    builder.environment().putAll(settings);
    process = builder.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> IDENTITY.equals(holder()) || !process.isAlive());
    assertThat(process.isAlive()).as("the operator runs; its output:\n" + output()).isTrue();
  }

  private String output() {
    try {
      return Files.readString(dir.resolve("operator.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private String holder() {
    Lease lease = kubernetes.client().leases().inNamespace("operators").withName("konnect-replay-operator").get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }
}
