package io.konnectreplay.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobSpec;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.deploy.CrdAdmission;
import io.konnectreplay.operator.konnect.KonnectException;
import io.konnectreplay.operator.konnect.RemoteReplayJob;
import io.konnectreplay.operator.konnect.ReplayWindowRange;
import io.konnectreplay.operator.konnect.Webhook;
import io.konnectreplay.operator.konnect.WebhookStatus;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any spec the CRD admits (the project's own schema and CEL check), with any Secret bytes, run through the
 * production cycle against an in-memory Konnect that may report the job failed, with the spec's suspend and
 * rerunNonce changed on the way: no exception escapes, the plan is stable across cycles, each request (target,
 * window, nonce) is accepted at most 1 + backoffLimit times, and every cycle ends in a phase with a reason the
 * operator documents.
 */
class SpecLifecyclePropertiesTest {

  static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");
  static final OperatorSettings SETTINGS = OperatorSettings.defaults(Map.of(
      "KONNECT_ALLOWED_SERVER_URLS", "https://*.api.konghq.com,http://127.0.0.1:*"));
  static final KubernetesSerialization JSON = new KubernetesSerialization();
  static final Set<String> REASONS = Stream.of(Reasons.class.getDeclaredFields())
      .filter(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == String.class)
      .map(SpecLifecyclePropertiesTest::value).collect(Collectors.toSet());
  /** About half the generated specs pass the CRD: 2,000 tries check over 1,000 admitted ones. */
  static final int TRIES = 2000;
  static final AtomicLong RUNS = new AtomicLong();
  static volatile boolean printCountsAtTheEnd;
  static final AtomicLong ADMITTED = new AtomicLong();
  static final AtomicLong ACCEPTED = new AtomicLong();
  static final Map<String, AtomicLong> ENDINGS = new java.util.concurrent.ConcurrentHashMap<>();

  /** A generated spec, the Secret's bytes, and what happens on the way. */
  record Case(Map<String, Object> spec, byte[] secret, List<Integer> script) {}

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<String> server = Arbitraries.of("", "", "", "https://us.api.konghq.com", "HTTPS://US.API.KONGHQ.COM:443/",
        "https://us.api.konghq.com/./", "https://eu.api.konghq.com", "http://127.0.0.1:8081/us/",
        "http://127.0.0.1:8081/a/../us", "https://evil.example", "http://127.0.0.1:99999");
    Arbitrary<String> time = Combinators.combine(Arbitraries.longs().between(-9 * 86_400, 2 * 86_400),
        Arbitraries.integers().between(0, 999_999_999), Arbitraries.integers().between(-18 * 60, 18 * 60),
        Arbitraries.integers().between(0, 3))
        .as((offsetSeconds, nanos, offsetMinutes, form) -> {
          Instant at = T0.plusSeconds(offsetSeconds).plusNanos(form == 0 ? 0 : nanos);
          ZoneOffset zone = form == 2 ? ZoneOffset.ofTotalSeconds(offsetMinutes * 60) : ZoneOffset.UTC;
          String text = at.atOffset(zone).toString();
          return text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$") ? text : text + "Z";
        });
    Arbitrary<Map<String, Object>> window = Arbitraries.oneOf(
        Combinators.combine(time, time).as((a, b) -> Map.<String, Object>of("startAt", a, "endAt", b)),
        Arbitraries.of("1m", "90m", "1h30m", "24h", "0.5h", "167h59m", "168h", "1m0.5ns", "10080m", "59s", "169h")
            .map(l -> Map.<String, Object>of("lookback", l)));
    Arbitrary<Map<String, Object>> spec = Combinators.combine(
        Arbitraries.of("us", "us", "us", "eu", "au", "zz"),
        Arbitraries.of(null, "3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11", "3E551B39-0F5E-4A84-B0A9-2D7B4B0E6A11"),
        window, server, Arbitraries.of(false, true), Arbitraries.of("", "1", "again"),
        Arbitraries.integers().between(0, 5))
        .as((region, portal, w, srv, suspend, nonce, backoff) -> {
          Map<String, Object> s = new LinkedHashMap<>();
          s.put("region", region);
          if (portal != null) s.put("portalID", portal);
          s.put("window", w);
          Map<String, Object> konnect = new LinkedHashMap<>();
          konnect.put("authRef", Map.of("name", "konnect-token"));
          if (!srv.isEmpty()) konnect.put("serverURL", srv);
          s.put("konnect", konnect);
          if (suspend) s.put("suspend", true);
          if (!nonce.isEmpty()) s.put("rerunNonce", nonce);
          s.put("backoffLimit", backoff);
          return s;
        });
    Arbitrary<byte[]> secret = Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(60)
            .map(t -> ("kpat_" + t).getBytes(StandardCharsets.UTF_8)),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(40));
    return Combinators.combine(spec, secret, Arbitraries.integers().between(0, 99).list().ofMinSize(5).ofMaxSize(40))
        .as(Case::new);
  }

  @Property(tries = TRIES)
  void everyAdmittedSpecIsSubmittedAtMostItsAllowanceAndEndsWithADocumentedReason(@ForAll("cases") Case c) {
    if (RUNS.incrementAndGet() == TRIES) printCountsAtTheEnd = true;
    boolean admitted = CrdAdmission.violations(c.spec()).isEmpty();
    Assume.that(admitted);
    ADMITTED.incrementAndGet();

    AuditLogReplayJob job = JSON.convertValue(Map.of("apiVersion", "konnectreplay.io/v1alpha1",
        "kind", "AuditLogReplayJob", "metadata", Map.of("name", "p", "namespace", "ns", "generation", 1,
            "uid", "u1", "creationTimestamp", "2026-12-01T00:00:00Z"), "spec", c.spec()), AuditLogReplayJob.class);
    Secret secret = new SecretBuilder().withMetadata(new ObjectMetaBuilder().withName("konnect-token")
        .withNamespace("ns").withLabels(Map.of(TokenLookup.CREDENTIAL_LABEL, TokenLookup.CREDENTIAL_LABEL_VALUE))
        .build()).withData(Map.of("token", Base64.getEncoder().encodeToString(c.secret()))).build();
    RequestPlanner planner = new RequestPlanner(SETTINGS);
    Konnect konnect = new Konnect();
    Map<String, Integer> acceptedPerRequest = new HashMap<>();

    Instant now = T0;
    for (int step : c.script()) {
      now = now.plusSeconds(step % 20 + 1);
      if (step == 97) job = edited(job, s -> s.setSuspend(!s.suspended()));
      if (step == 98) job = edited(job, s -> s.setRerunNonce(s.rerunNonceOrEmpty() + "x"));
      konnect.failNext = step % 7 == 0;
      TokenLookup.Lookup token = TokenLookup.lookup(job, Optional.of(secret));
      RequestPlan plan = planner.plan(job, now);
      Instant at = now;
      Observation observation = Observation.lazily(() -> Observation.Result.ok(konnect.view(at)),
          () -> Observation.Result.ok(new Webhook(true, "https://siem.example/in", "json", null)),
          () -> Observation.Result.ok(new WebhookStatus("active", true, at, 200, "OK")));
      AuditLogReplayJob current = job;
      ReplayCycle.Konnect client = new ReplayCycle.Konnect() {
        @Override public Observation observation() { return observation; }
        @Override public Observation.Result<RemoteReplayJob> submit(ReplayWindowRange window) {
          assertThat(token.token()).as("no call without a usable token").isNotNull();
          if (!konnect.view(at).targetFree()) {
            return Observation.Result.failed(new KonnectException.Conflict("A replay job is currently running"));
          }
          konnect.accept(window, at);
          ACCEPTED.incrementAndGet();
          ReplayRequest r = ((RequestPlan.Valid) planner.plan(current, at)).request();
          acceptedPerRequest.merge(r.target().key() + "|" + window + "|" + r.nonce(), 1, Integer::sum);
          return Observation.Result.ok(konnect.view(at));
        }
      };
      ReplayDecision.Input in = new ReplayDecision.Input(job, plan, QueueSlot.HEAD, token.problem(), observation, now,
          Duration.ofSeconds(30), 0, 0.5, now);
      ReplayCycle.Outcome outcome = ReplayCycle.run(in, client, (j, withIntent) -> withStatus(j, withIntent), planner);
      job = withStatus(outcome.job(), outcome.done().status());
      String reason = outcome.done().verdict().reason();
      assertThat(REASONS).as("a documented reason").contains(reason);
      assertThat(outcome.done().verdict().phase()).isNotNull();
      assertThat(outcome.done().verdict().message()).isNotBlank().doesNotContain(new String(c.secret(),
          StandardCharsets.ISO_8859_1).length() >= 8 ? new String(c.secret(), StandardCharsets.ISO_8859_1) : "\u0000");
      if (planner.plan(job, now) instanceof RequestPlan.Valid valid) {
        assertThat(valid.request().fresh()).as("the status written describes the request").isFalse();
      }
    }
    int allowance = 1 + job.getSpec().backoffLimitOrDefault();
    assertThat(acceptedPerRequest.values()).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(allowance));
    ENDINGS.computeIfAbsent(StatusBuilder.mainReason(job.getStatus()), k -> new AtomicLong()).incrementAndGet();
    if (printCountsAtTheEnd) printCounts();
  }

  static void printCounts() {
    System.out.printf("spec lifecycle: %d generated, %d admitted by the CRD, %d accepted PUTs, endings %s%n",
        RUNS.get(), ADMITTED.get(), ACCEPTED.get(), new java.util.TreeMap<>(ENDINGS));
  }

  static AuditLogReplayJob withStatus(AuditLogReplayJob job, io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJobStatus s) {
    AuditLogReplayJob copy = ReplayDecision.copyJob(job);
    copy.setStatus(s);
    return copy;
  }

  static AuditLogReplayJob edited(AuditLogReplayJob job, java.util.function.Consumer<AuditLogReplayJobSpec> edit) {
    AuditLogReplayJob copy = ReplayDecision.copyJob(job);
    edit.accept(copy.getSpec());
    copy.getMetadata().setGeneration(copy.getMetadata().getGeneration() + 1);
    return copy;
  }

  /** One target's job at Konnect: runs 10 s, then completes, or fails when told to. */
  static final class Konnect {
    ReplayWindowRange window;
    Instant acceptedAt;
    boolean failNext;
    boolean fails;

    void accept(ReplayWindowRange w, Instant at) {
      window = w;
      acceptedAt = at;
      fails = failNext;
    }

    RemoteReplayJob view(Instant now) {
      if (window == null) {
        Instant year1 = Instant.parse("0001-01-01T00:00:00Z");
        return new RemoteReplayJob(year1, year1, RemoteReplayJob.UNCONFIGURED, year1);
      }
      boolean over = !now.isBefore(acceptedAt.plusSeconds(10));
      String status = !over ? RemoteReplayJob.RUNNING : fails ? RemoteReplayJob.FAILED : RemoteReplayJob.COMPLETED;
      return new RemoteReplayJob(window.startAt(), window.endAt(), status, over ? acceptedAt.plusSeconds(10)
          : acceptedAt);
    }
  }

  private static String value(Field f) {
    try {
      return (String) f.get(null);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
