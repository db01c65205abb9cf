package io.konnectreplay.operator.sandbox;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicySpec;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicyStatus;
import io.konnectreplay.operator.api.v1alpha1.KonnectSettings;
import io.konnectreplay.operator.api.v1alpha1.SecretKeyRef;
import io.konnectreplay.operator.emulator.WebhookReceiver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The sandbox's gap-healing demo. Every sample target gets an {@link AuditLogReplayPolicy} (the samples' own policy
 * where there is one, else one the sandbox adds: {@value #CHECK_INTERVAL} checks, {@value #MARGIN} margin). The
 * emulator streams live events to every webhook. Once every sample job of one region has ended, that region's
 * receiver goes down for the outage's length and comes back up; the policies of its targets must each notice the
 * outage and create one replay that brings back every event the receiver refused.
 *
 * <p>The region taken down is the first region of the samples none of whose targets is watched by a policy of the
 * samples folder: the samples' policies check every minute with a 5-minute margin, made for a real webhook, which
 * would keep the demo waiting for minutes.
 *
 * <p>{@link #step} is called from the sandbox's poll loop; it moves the outage along and reports what it did through
 * the note sink. It never blocks.
 */
final class HealingDemo {
  static final String CHECK_INTERVAL = "10s";
  static final String MARGIN = "2s";
  static final String POLICY_PREFIX = "heal-";
  /** An outage must outlast one check interval, or a check might never see it. */
  static final Duration SHORTEST_OUTAGE = Duration.ofSeconds(12);

  /** A target with the policy that watches it. */
  record Watched(String policy, String region, String portalId, boolean fromSamples) {
    /** As {@code status.target} names it. */
    String target() {
      return region + (portalId == null ? "/org" : "/portal/" + portalId.toLowerCase(Locale.ROOT));
    }
  }

  /**
   * What one policy made of the outage.
   *
   * @param gap the gap its status recorded (null when none)
   * @param replays the replays it owns
   * @param outage the receiver's account of the outage for this target (null when nothing was emitted to it)
   */
  record Healing(Watched watched, AuditLogReplayPolicyStatus.Gap gap, List<Sandbox.JobView> replays,
      WebhookReceiver.Outage outage) {
    long lost() { return outage == null ? 0 : outage.lost(); }
  }

  enum Stage { OFF, WAITING, DOWN, HEALING, DONE }

  private final KubernetesClient client;
  private final Clock clock;
  private final Duration outage;
  private final List<Watched> watched;
  private final String region;
  private final WebhookReceiver receiver;
  private volatile Stage stage;
  private Instant downAt;
  private Instant upAt;
  private long downNanos;

  private HealingDemo(KubernetesClient client, Clock clock, Duration outage, List<Watched> watched, String region,
      WebhookReceiver receiver) {
    this.client = client;
    this.clock = clock;
    this.outage = outage;
    this.watched = List.copyOf(watched);
    this.region = region;
    this.receiver = receiver;
    this.stage = outage.isZero() || region == null ? Stage.OFF : Stage.WAITING;
  }

  /**
   * Adds a policy for every sample target no sample policy watches, in the samples' namespace, and picks the region
   * to take down.
   *
   * @param outage how long the receiver stays down; zero: no outage (the policies still run)
   */
  static HealingDemo create(KubernetesClient client, Clock clock, SampleManifests samples,
      Map<String, WebhookReceiver> receivers, Duration outage) {
    Objects.requireNonNull(outage, "outage");
    if (!outage.isZero() && outage.compareTo(SHORTEST_OUTAGE) < 0) {
      throw new IllegalArgumentException("an outage of " + outage.toSeconds() + " s is shorter than "
          + SHORTEST_OUTAGE.toSeconds() + " s: a policy checking every " + CHECK_INTERVAL + " might not see it");
    }
    List<Watched> watched = new ArrayList<>();
    Set<String> targets = new LinkedHashSet<>();
    for (SampleManifests.Sample s : samples.all()) {
      if (!SampleManifests.POLICY_KIND.equals(s.kind())) continue;
      Watched w = new Watched(s.name(), s.region(), s.portalId(), true);
      if (targets.add(w.target())) watched.add(w);
    }
    Set<String> regionsWithSamplePolicies = new LinkedHashSet<>();
    watched.forEach(w -> regionsWithSamplePolicies.add(w.region()));
    String down = null;
    for (SampleManifests.Sample job : samples.jobs()) {
      Watched w = new Watched(policyName(job.region(), job.portalId()), job.region(), job.portalId(), false);
      if (!targets.add(w.target())) continue;
      create(client, w);
      watched.add(w);
      if (down == null && !regionsWithSamplePolicies.contains(w.region()) && receivers.containsKey(w.region())) {
        down = w.region();
      }
    }
    return new HealingDemo(client, clock, outage, watched, down, down == null ? null : receivers.get(down));
  }

  private static String policyName(String region, String portalId) {
    return POLICY_PREFIX + region + "-" + (portalId == null ? "org" : "portal-"
        + portalId.toLowerCase(Locale.ROOT).substring(0, Math.min(8, portalId.length())));
  }

  private static void create(KubernetesClient client, Watched w) {
    AuditLogReplayPolicy policy = new AuditLogReplayPolicy();
    policy.setMetadata(new ObjectMetaBuilder().withName(w.policy()).withNamespace(Sandbox.SAMPLES_NAMESPACE)
        .addToLabels("app.kubernetes.io/part-of", "konnect-replay-operator-sandbox").build());
    AuditLogReplayPolicySpec spec = new AuditLogReplayPolicySpec();
    spec.setRegion(w.region());
    spec.setPortalID(w.portalId());
    spec.setKonnect(new KonnectSettings(new SecretKeyRef("konnect-token", "token"), null));
    spec.setCheckInterval(CHECK_INTERVAL);
    spec.setMargin(MARGIN);
    policy.setSpec(spec);
    client.resources(AuditLogReplayPolicy.class).inNamespace(Sandbox.SAMPLES_NAMESPACE).resource(policy).create();
  }

  /**
   * Moves the demo along: takes the receiver down once its region's sample jobs have ended and its policies have
   * seen the webhook healthy, brings it up after the outage, and notices when every policy of the region has healed.
   */
  void step(List<Sandbox.JobView> jobs, List<String> sampleJobs, Consumer<String> note) {
    switch (stage) {
      case WAITING -> {
        boolean samplesDone = jobs.stream().filter(j -> sampleJobs.contains(j.key()) && region.equals(j.region()))
            .allMatch(j -> j.phase() != null && j.phase().terminal());
        if (samplesDone && downWatched().stream().allMatch(this::healthy)) {
          receiver.down();
          downAt = clock.instant();
          downNanos = System.nanoTime();
          stage = Stage.DOWN;
          note.accept("webhook receiver " + region + " (:" + receiver.port() + ") down for " + outage.toSeconds()
              + " s: Konnect's live deliveries to " + targets() + " fail");
        }
      }
      case DOWN -> {
        if (System.nanoTime() - downNanos >= outage.toNanos()) {
          receiver.up();
          upAt = clock.instant();
          stage = Stage.HEALING;
          note.accept("webhook receiver " + region + " up again; " + receiver.lost()
              + " events were refused while it was down: the policies must replay them");
        }
      }
      case HEALING -> {
        if (downWatched().stream().allMatch(this::healed)) {
          stage = Stage.DONE;
          note.accept("every policy of region " + region + " replayed its gap; lost now: " + receiver.lost());
        }
      }
      default -> { }
    }
  }

  /** Whether the demo has nothing left to do (no outage planned, or healed). */
  boolean finished() {
    return stage == Stage.OFF || stage == Stage.DONE;
  }

  Stage stage() { return stage; }

  private List<Watched> downWatched() {
    return watched.stream().filter(w -> w.region().equals(region)).toList();
  }

  private String targets() {
    return String.join(", ", downWatched().stream().map(Watched::target).toList());
  }

  private boolean healthy(Watched w) {
    AuditLogReplayPolicy p = policy(w);
    if (p == null || p.getStatus() == null || p.getStatus().getConditions() == null) return false;
    return p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
        && "True".equals(c.getStatus()));
  }

  /** Its last gap's replay has ended, and the policy reads healthy again. */
  private boolean healed(Watched w) {
    AuditLogReplayPolicy p = policy(w);
    if (p == null || p.getStatus() == null || p.getStatus().getGaps() == null || p.getStatus().getGaps().isEmpty()) {
      return false;
    }
    AuditLogReplayPolicyStatus.Gap last = p.getStatus().getGaps().get(p.getStatus().getGaps().size() - 1);
    return ("Completed".equals(last.getPhase()) || "Failed".equals(last.getPhase())) && healthy(w);
  }

  private AuditLogReplayPolicy policy(Watched w) {
    return client.resources(AuditLogReplayPolicy.class).inNamespace(Sandbox.SAMPLES_NAMESPACE).withName(w.policy())
        .get();
  }

  /** Every watched target and its policy. */
  List<Watched> watched() { return watched; }

  /** The region taken down, or null when none could be. */
  String region() { return region; }

  Instant downAt() { return downAt; }

  Instant upAt() { return upAt; }

  Duration outage() { return outage; }

  /**
   * What each policy of the region taken down made of the outage, now; empty when no outage happened. The gap is
   * the policy's most recent one that began after the outage was planned.
   */
  List<Healing> healings(List<Sandbox.JobView> jobs, Map<String, String> receiverTargetOf) {
    if (downAt == null) return List.of();
    List<Healing> healings = new ArrayList<>();
    List<WebhookReceiver.Outage> outages = receiver.outages();
    for (Watched w : downWatched()) {
      AuditLogReplayPolicy p = policy(w);
      AuditLogReplayPolicyStatus.Gap gap = null;
      if (p != null && p.getStatus() != null && p.getStatus().getGaps() != null
          && !p.getStatus().getGaps().isEmpty()) {
        gap = p.getStatus().getGaps().get(p.getStatus().getGaps().size() - 1);
      }
      List<Sandbox.JobView> replays = new ArrayList<>();
      for (AuditLogReplayJob job : client.resources(AuditLogReplayJob.class).inNamespace(Sandbox.SAMPLES_NAMESPACE)
          .withLabel(AuditLogReplayPolicy.POLICY_LABEL, w.policy()).list().getItems()) {
        String key = job.getMetadata().getNamespace() + "/" + job.getMetadata().getName();
        jobs.stream().filter(j -> j.key().equals(key)).findFirst().ifPresent(replays::add);
      }
      String receiverTarget = receiverTargetOf.get(w.target());
      WebhookReceiver.Outage seen = outages.stream().filter(o -> Objects.equals(o.target(), receiverTarget))
          .reduce((a, b) -> b).orElse(null);
      healings.add(new Healing(w, gap, replays, seen));
    }
    return healings;
  }
}
