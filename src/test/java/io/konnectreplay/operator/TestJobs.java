package io.konnectreplay.operator;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobSpec;
import io.konnectreplay.operator.api.v1alpha1.KonnectSettings;
import io.konnectreplay.operator.api.v1alpha1.ReplayWindow;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import java.time.Instant;

/** The one builder for AuditLogReplayJob resources in tests. */
public final class TestJobs {
  public static final String PORTAL = "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11";
  public static final String OTHER_PORTAL = "9cb77dc2-ff99-4d47-84ab-7c5c1b3ef939";
  public static final String SECRET = "konnect-token";

  private final AuditLogReplayJob job = new AuditLogReplayJob();

  private TestJobs(String namespace, String name) {
    job.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withGeneration(1L)
        .withUid(namespace + "-" + name).withCreationTimestamp("2026-11-20T00:00:00Z").build());
    AuditLogReplayJobSpec spec = new AuditLogReplayJobSpec();
    spec.setRegion("us");
    spec.setKonnect(new KonnectSettings(new SecretKeyRef(SECRET, null), null));
    job.setSpec(spec);
  }

  public static TestJobs job(String name) { return new TestJobs("platform", name); }

  public static TestJobs job(String namespace, String name) { return new TestJobs(namespace, name); }

  public TestJobs portal(String portalId) { job.getSpec().setPortalID(portalId); return this; }

  public TestJobs region(String region) { job.getSpec().setRegion(region); return this; }

  public TestJobs window(Instant start, Instant end) {
    job.getSpec().setWindow(ReplayWindow.absolute(start.toString(), end.toString()));
    return this;
  }

  public TestJobs window(String start, String end) {
    job.getSpec().setWindow(ReplayWindow.absolute(start, end));
    return this;
  }

  public TestJobs lookback(String lookback) { job.getSpec().setWindow(ReplayWindow.lookback(lookback)); return this; }

  public TestJobs server(String url) { job.getSpec().getKonnect().setServerURL(url); return this; }

  public TestJobs secret(String name, String key) {
    job.getSpec().getKonnect().setAuthRef(new SecretKeyRef(name, key));
    return this;
  }

  public TestJobs suspend(boolean suspend) { job.getSpec().setSuspend(suspend); return this; }

  public TestJobs backoffLimit(int limit) { job.getSpec().setBackoffLimit(limit); return this; }

  public TestJobs nonce(String nonce) { job.getSpec().setRerunNonce(nonce); return this; }

  public TestJobs created(String rfc3339) { job.getMetadata().setCreationTimestamp(rfc3339); return this; }

  public TestJobs generation(long generation) { job.getMetadata().setGeneration(generation); return this; }

  public AuditLogReplayJob build() { return job; }
}
