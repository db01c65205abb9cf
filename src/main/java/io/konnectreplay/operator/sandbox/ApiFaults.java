package io.konnectreplay.operator.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the embedded API's front door ({@link KubectlProxy}) does wrong, as a test says, the way a real API server does
 * it: answers {@code 429} with {@code Retry-After} (API Priority and Fairness), {@code 500} or {@code 503} to a share of
 * the requests chosen by verb and resource; answers slowly; ends watches after a while; answers a watch resumed from
 * a {@code resourceVersion} with {@code 410 Gone} (an ERROR event, as kube-apiserver sends when the version is too
 * old); and goes dark (every connection reset, new ones included) for a blackout. Faults apply to requests that pass
 * the proxy only: the tests' own client talks to the API directly. Thread-safe; counts what it injected by kind.
 */
public final class ApiFaults {

  /** The API server's verbs. */
  public enum Verb { GET, LIST, WATCH, CREATE, UPDATE, PATCH, DELETE }

  /** One request as the API server routes it. */
  public record Call(Verb verb, String resource, String subresource, boolean resume) {}

  /** Which calls a fault applies to: verbs (empty: any), a resource (plural; null: any), a subresource (null: any). */
  public record Match(Set<Verb> verbs, String resource, String subresource) {
    public static Match of(String resource, Verb... verbs) { return new Match(Set.of(verbs), resource, null); }

    /** Status writes of AuditLogReplayJobs (PUT or PATCH of the status subresource). */
    public static Match statusWrites() {
      return new Match(Set.of(Verb.UPDATE, Verb.PATCH), "auditlogreplayjobs", "status");
    }

    public Match andSubresource(String sub) { return new Match(verbs, resource, sub); }

    boolean matches(Call call) {
      return (verbs.isEmpty() || verbs.contains(call.verb())) && (resource == null || resource.equals(call.resource()))
          && (subresource == null || subresource.equals(call.subresource()));
    }
  }

  /** An answer the proxy gives instead of the API's, or a delay before the API's. */
  record Rule(String kind, Match match, double share, int code, Duration retryAfter, Duration latency, Random random) {}

  /** What to do with one call: answer with {@code code} (0: forward) after {@code delay}. */
  record Verdict(int code, Duration retryAfter, Duration delay) {
    static final Verdict FORWARD = new Verdict(0, null, Duration.ZERO);
  }

  /** A fault that can be ended. */
  public interface Handle {
    void stop();
  }

  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicLong> injected = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final AtomicInteger goneOnResume = new AtomicInteger();
  private volatile Duration closeWatchesAfter;
  private volatile boolean dark;
  private volatile Runnable onBlackout = () -> { };
  private final long seed;
  private final AtomicLong seeds = new AtomicLong();

  public ApiFaults(long seed) { this.seed = seed; }

  /** Answers {@code code} (429, 500, 503, …) to {@code share} of the matching calls; 429s carry Retry-After. */
  public Handle answer(Match match, double share, int code, Duration retryAfter) {
    String kind = code + " " + describe(match);
    return add(new Rule(kind, match, share, code, retryAfter, Duration.ZERO, random()));
  }

  /** Delays {@code share} of the matching calls by {@code latency} before they reach the API. */
  public Handle delay(Match match, double share, Duration latency) {
    return add(new Rule("latency " + describe(match), match, share, 0, null, latency, random()));
  }

  /** Ends every watch opened from now on {@code after} it opened (null: watches last until the client ends them). */
  public void closeWatchesAfter(Duration after) { this.closeWatchesAfter = after; }

  /** The next {@code times} watches that resume from a resourceVersion are answered with 410 Gone. */
  public void goneOnNextResumes(int times) { goneOnResume.addAndGet(times); }

  /** Starts or ends a blackout: while it lasts every connection is reset, open ones at once. */
  public void blackout(boolean on) {
    dark = on;
    if (on) {
      count("blackout");
      onBlackout.run();
    }
  }

  /** What was injected, by kind ("503 update auditlogreplayjobs/status", "watch closed", "410 on resume", …). */
  public Map<String, Long> injected() {
    Map<String, Long> out = new TreeMap<>();
    injected.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** How many calls of a verb and resource reached the front door ("list auditlogreplayjobs"). */
  public long calls(Verb verb, String resource) {
    AtomicLong n = calls.get(verb.name().toLowerCase(java.util.Locale.ROOT) + " " + resource);
    return n == null ? 0 : n.get();
  }

  // ---- used by the proxy -------------------------------------------------------------------------------------

  boolean dark() { return dark; }

  void onBlackout(Runnable reset) { this.onBlackout = reset; }

  Duration closeWatchesAfter() { return closeWatchesAfter; }

  void count(String kind) { injected.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet(); }

  /** Decides about one call (counting it, and the fault if one applies). */
  Verdict decide(Call call) {
    calls.computeIfAbsent(call.verb().name().toLowerCase(java.util.Locale.ROOT) + " " + call.resource(),
        k -> new AtomicLong()).incrementAndGet();
    if (call.verb() == Verb.WATCH && call.resume() && goneOnResume.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      count("410 on watch resume");
      return new Verdict(410, null, Duration.ZERO);
    }
    Duration delay = Duration.ZERO;
    for (Rule rule : rules) {
      if (!rule.match().matches(call) || !hit(rule)) continue;
      count(rule.kind());
      if (rule.code() == 0) {
        delay = delay.plus(rule.latency());
      } else {
        return new Verdict(rule.code(), rule.retryAfter(), delay);
      }
    }
    return delay.isZero() ? Verdict.FORWARD : new Verdict(0, null, delay);
  }

  private static boolean hit(Rule rule) {
    synchronized (rule.random()) {
      return rule.random().nextDouble() < rule.share();
    }
  }

  private Handle add(Rule rule) {
    rules.add(rule);
    return () -> rules.remove(rule);
  }

  private Random random() { return new Random(seed + seeds.incrementAndGet()); }

  private static String describe(Match match) {
    String verbs = match.verbs().isEmpty() ? "any" : String.join("|", match.verbs().stream()
        .map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).sorted().toList());
    return verbs + " " + (match.resource() == null ? "*" : match.resource())
        + (match.subresource() == null ? "" : "/" + match.subresource());
  }

  /** Classifies a request as the API server would. */
  static Call classify(String method, String uri, boolean websocket) {
    ApiPath path = ApiPath.parse(uri).orElse(null);
    String resource = path == null ? "" : path.resource();
    String sub = path == null ? null : path.subresource();
    String rv = path == null ? null : path.query().get("resourceVersion");
    boolean watch = websocket || (path != null && List.of("true", "1").contains(path.query().getOrDefault("watch", "")));
    Verb verb = switch (method) {
      case "POST" -> Verb.CREATE;
      case "PUT" -> Verb.UPDATE;
      case "PATCH" -> Verb.PATCH;
      case "DELETE" -> Verb.DELETE;
      default -> watch ? Verb.WATCH : path != null && path.name() != null ? Verb.GET : Verb.LIST;
    };
    return new Call(verb, resource, sub, verb == Verb.WATCH && rv != null && !rv.isEmpty() && !"0".equals(rv));
  }
}
