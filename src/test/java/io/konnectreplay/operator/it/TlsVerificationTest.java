package io.konnectreplay.operator.it;

import static io.konnectreplay.operator.TestJobs.job;
import static io.konnectreplay.operator.it.OperatorHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.emulator.KonnectEmulator;
import java.net.InetAddress;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import mockwebserver3.MockWebServer;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A resource that points at an allowed https server whose certificate the operator's JVM does not trust: the
 * operator sends nothing there (no token leaves), and the resource says why and what to do.
 */
class TlsVerificationTest {
  private OperatorHarness harness;
  private final MockWebServer untrusted = new MockWebServer();

  @AfterEach
  void stop() {
    if (harness != null) harness.close();
    untrusted.close();
  }

  @Test
  void anUntrustedCertificateGivesAClearConditionAndNoRequest() throws Exception {
    HeldCertificate selfSigned = new HeldCertificate.Builder().addSubjectAlternativeName("localhost")
        .commonName("self-signed").build();
    untrusted.useHttps(new HandshakeCertificates.Builder().heldCertificate(selfSigned).build().sslSocketFactory());
    untrusted.start(InetAddress.getLoopbackAddress(), 0);
    harness = new OperatorHarness(KonnectEmulator.builder().token(TOKEN).start(),
        Map.of("KONNECT_ALLOWED_SERVER_URLS", "http://127.0.0.1:*,https://localhost:*"));
    harness.secret("konnect-token", TOKEN);
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(java.time.Duration.ofHours(1));

    harness.create(job("private-ca").region("us").window(end.minus(java.time.Duration.ofHours(1)), end)
        .server("https://localhost:" + untrusted.getPort()));

    AuditLogReplayJob job = harness.awaitCondition("private-ca", "Reconciling", "True", "KonnectUnavailable");
    String message = harness.condition("private-ca", "Reconciling").orElseThrow().getMessage();
    assertThat(message).startsWith("No answer from Konnect at https://localhost:" + untrusted.getPort())
        .contains("TLS certificate was not accepted", "trust store", "Retrying in").doesNotContain(TOKEN);
    assertThat(job.getStatus().getAttempts()).isZero();
    assertThat(untrusted.getRequestCount()).as("HTTP requests that reached the untrusted server").isZero();
  }
}
