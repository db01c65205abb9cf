package io.konnectreplay.operator.konnect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.InetAddress;
import java.net.URI;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS is always verified: a Konnect server whose certificate the JVM does not trust, or whose certificate names
 * another host, gets no request at all (so no token), and the error says what to do.
 */
class KonnectTlsTest {
  private static final String SECRET = "kpat_TLStestSecret0123456789abcdef";
  private static final KonnectToken TOKEN = KonnectToken.of(SECRET);

  private final MockWebServer server = new MockWebServer();
  private final OkHttpKonnectClient client = OkHttpKonnectClient.builder().build();

  @AfterEach
  void stop() {
    server.close();
    client.close();
  }

  @Test
  void aSelfSignedCertificateIsRefusedBeforeAnyRequestIsSent() throws Exception {
    startHttps(new HeldCertificate.Builder().addSubjectAlternativeName("localhost")
        .addSubjectAlternativeName("127.0.0.1").commonName("self-signed").build());

    KonnectException.Unavailable e = catchThrowableOfType(KonnectException.Unavailable.class,
        () -> client.getReplayJob(Target.organization(httpsUrl("localhost"), "us"), TOKEN));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).contains("TLS certificate was not accepted", "trust store")
        .doesNotContain(SECRET);
    assertThat(server.getRequestCount()).as("requests that reached the server").isZero();
  }

  @Test
  void aCertificateForAnotherHostIsRefusedEvenWhenItsIssuerIsTrusted() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("test CA").build();
    HeldCertificate other = new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("elsewhere.example")
        .commonName("elsewhere.example").build();
    startHttps(other);
    HandshakeCertificates trustingTheCa = new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate())
        .build();
    try (OkHttpKonnectClient trusting = OkHttpKonnectClient.builder()
        .httpClient(trusting(trustingTheCa)).build()) {
      KonnectException.Unavailable e = catchThrowableOfType(KonnectException.Unavailable.class,
          () -> trusting.getReplayJob(Target.organization(httpsUrl("localhost"), "us"), TOKEN));

      assertThat(e).isNotNull();
      assertThat(e.getMessage()).contains("TLS certificate was not accepted").doesNotContain(SECRET);
      assertThat(server.getRequestCount()).isZero();
    }
  }

  @Test
  void aCertificateFromATrustedCaForTheRightHostIsAccepted() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("test CA").build();
    startHttps(new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("localhost")
        .commonName("localhost").build());
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body("{\"start_at\":\"2026-11-20T00:00:00Z\",\"end_at\":\"2026-11-20T06:00:00Z\",\"status\":\"running\","
            + "\"updated_at\":\"2026-11-22T09:59:58Z\"}").build());
    HandshakeCertificates trustingTheCa = new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate())
        .build();
    try (OkHttpKonnectClient trusting = OkHttpKonnectClient.builder()
        .httpClient(trusting(trustingTheCa)).build()) {
      RemoteReplayJob job = trusting.getReplayJob(Target.organization(httpsUrl("localhost"), "us"), TOKEN);

      assertThat(job.status()).isEqualTo("running");
      assertThat(server.takeRequest().getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);
    }
  }

  /**
   * The chart's way for a private CA: a trust store file mounted into the pod and named in JAVA_TOOL_OPTIONS. A JVM
   * started that way trusts the CA with the operator's default client; the same JVM without it refuses the server.
   */
  @Test
  void aTrustStoreFileNamedInJavaToolOptionsIsTrustedByTheOperatorsClient(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("private CA").build();
    startHttps(new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("localhost")
        .commonName("localhost").build());
    server.enqueue(new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
        .body("{\"start_at\":\"2026-11-20T00:00:00Z\",\"end_at\":\"2026-11-20T06:00:00Z\",\"status\":\"running\","
            + "\"updated_at\":\"2026-11-22T09:59:58Z\"}").build());
    java.nio.file.Path store = dir.resolve("truststore.p12");
    java.security.KeyStore keyStore = java.security.KeyStore.getInstance("PKCS12");
    keyStore.load(null, null);
    keyStore.setCertificateEntry("konnect-ca", ca.certificate());
    try (var out = java.nio.file.Files.newOutputStream(store)) {
      keyStore.store(out, "changeit".toCharArray());
    }

    String trusted = runProbe("-Djavax.net.ssl.trustStore=" + store + " -Djavax.net.ssl.trustStorePassword=changeit");
    assertThat(trusted).contains("status=running").doesNotContain(SECRET);
    assertThat(server.getRequestCount()).isEqualTo(1);

    String untrusted = runProbe("");
    assertThat(untrusted).contains("error=", "TLS certificate was not accepted").doesNotContain(SECRET);
    assertThat(server.getRequestCount()).as("no request without the trust store").isEqualTo(1);
  }

  private String runProbe(String javaToolOptions) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder builder = new ProcessBuilder(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", classpath,
        TrustStoreProbe.class.getName(), httpsUrl("localhost").toString(), SECRET).redirectErrorStream(true);
    builder.environment().put("JAVA_TOOL_OPTIONS", javaToolOptions);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isEqualTo(javaToolOptions.isEmpty() ? 2 : 0);
    return out;
  }

  /** A client that trusts the given CA, as a JVM with that CA in its trust store would. */
  private static OkHttpClient trusting(HandshakeCertificates certificates) {
    return new OkHttpClient.Builder().sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager())
        .build();
  }

  private void startHttps(HeldCertificate certificate) throws Exception {
    HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder().heldCertificate(certificate)
        .build();
    server.useHttps(serverCertificates.sslSocketFactory());
    server.start(InetAddress.getLoopbackAddress(), 0);
  }

  private URI httpsUrl(String host) {
    return URI.create("https://" + host + ":" + server.getPort());
  }
}
