package io.konnectreplay.operator.konnect;

import java.net.URI;

/**
 * Run in a child JVM by {@link KonnectTlsTest}: reads one replay job with the operator's default client, which trusts
 * what this JVM's trust store holds (set through {@code JAVA_TOOL_OPTIONS}, as the chart passes it). Prints the job's
 * status and exits 0, or prints the error and exits 2.
 */
public final class TrustStoreProbe {
  private TrustStoreProbe() {}

  public static void main(String[] args) {
    try (OkHttpKonnectClient client = OkHttpKonnectClient.builder().build()) {
      RemoteReplayJob job = client.getReplayJob(Target.organization(URI.create(args[0]), "us"),
          KonnectToken.of(args[1]));
      System.out.println("status=" + job.status());
    } catch (KonnectException e) {
      System.out.println("error=" + e.getMessage());
      System.exit(2);
    }
  }
}
