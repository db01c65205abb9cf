package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The embedded API's admission over the space the CRD defines, in memory: every spec within the schema is admitted
 * and stored as sent (plus the schema's defaults), and stays so when written again; a spec with one field moved
 * outside the schema is refused, first at that field's path.
 */
class CrdSchemaPropertiesTest {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final Set<String> STATUS = Set.of("status");
  static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  static ObjectNode job(ObjectNode spec) {
    ObjectNode job = NODES.objectNode().put("apiVersion", "konnectreplay.io/v1alpha1").put("kind", "AuditLogReplayJob");
    job.putObject("metadata").put("name", "p").put("namespace", "n");
    job.set("spec", spec);
    return job;
  }

  @Property(tries = 1000)
  void aSpecWithinTheSchemaIsAdmittedAndRoundTrips(@ForAll("specs") ObjectNode spec) {
    CrdSchema.Admission created = CrdSchemaTest.JOBS.admit(job(spec), null, STATUS);
    assertThat(created.errors()).as(spec.toString()).isEmpty();
    assertThat(created.prunedFields()).isEmpty();
    ObjectNode expected = spec.deepCopy();
    if (!expected.has("backoffLimit")) expected.put("backoffLimit", 0);
    if (!expected.has("suspend")) expected.put("suspend", false);
    ObjectNode authRef = expected.withObjectProperty("konnect").withObjectProperty("authRef");
    if (!authRef.has("key")) authRef.put("key", "token");
    assertThat(created.object().get("spec")).isEqualTo(expected);

    CrdSchema.Admission updated = CrdSchemaTest.JOBS.admit(created.object(), created.object(), STATUS);
    assertThat(updated.errors()).isEmpty();
    assertThat(updated.object()).isEqualTo(created.object());
  }

  /** One field moved outside the schema: the path it is at and how. */
  record Mutation(String path, Function<ObjectNode, ObjectNode> apply) {}

  @Property(tries = 1000)
  void aSpecWithOneFieldOutsideTheSchemaIsRefusedAtThatField(@ForAll("specs") ObjectNode spec,
      @ForAll("mutations") Mutation mutation) {
    ObjectNode broken = mutation.apply().apply(spec.deepCopy());
    List<FieldError> errors = CrdSchemaTest.JOBS.admit(job(broken), null, STATUS).errors();
    assertThat(errors).as(broken.toString()).isNotEmpty();
    assertThat(errors.get(0).field()).as(errors.toString()).isEqualTo(mutation.path());
    // besides the field itself: the window's rules over it, or the API server's note that rules were skipped
    assertThat(errors).extracting(FieldError::field).allMatch(f -> f.equals(mutation.path()) || f.equals("<nil>")
        || (mutation.path().startsWith("spec.window.") && f.equals("spec.window")), errors.toString());
  }

  // ---- specs within the schema -------------------------------------------------------------------------------

  @Provide
  Arbitrary<ObjectNode> specs() {
    Arbitrary<String> region = Arbitraries.strings().withCharRange('a', 'z').ofLength(2);
    Arbitrary<ObjectNode> window = Arbitraries.oneOf(lookbacks(), absoluteWindows());
    Arbitrary<String> portal = Arbitraries.create(UUID::randomUUID).map(UUID::toString)
        .flatMap(u -> Arbitraries.of(u, u.toUpperCase()));
    Arbitrary<String> nonce = Arbitraries.strings().ofMinLength(0).ofMaxLength(63).withCharRange(' ', '~');
    Arbitrary<Integer> backoff = Arbitraries.integers().between(0, 5);
    Arbitrary<Boolean> suspend = Arbitraries.of(true, false);
    return Combinators.combine(region, window, konnect(), portal.optional(), nonce.optional(), backoff.optional(),
        suspend.optional()).as((r, w, k, p, n, b, s) -> {
          ObjectNode spec = NODES.objectNode().put("region", r);
          spec.set("window", w);
          spec.set("konnect", k);
          p.ifPresent(v -> spec.put("portalID", v));
          n.ifPresent(v -> spec.put("rerunNonce", v));
          b.ifPresent(v -> spec.put("backoffLimit", v));
          s.ifPresent(v -> spec.put("suspend", v));
          return spec;
        });
  }

  /** A Go duration between 1m and 168h, in the forms people write: 90m, 1h30m, 3600s, 24h. */
  static Arbitrary<ObjectNode> lookbacks() {
    return Arbitraries.longs().between(60, 168 * 3600).flatMap(seconds -> {
      List<String> forms = new java.util.ArrayList<>(List.of(seconds + "s", hms(seconds)));
      if (seconds % 60 == 0) forms.add(seconds / 60 + "m");
      if (seconds % 3600 == 0) forms.add(seconds / 3600 + "h");
      return Arbitraries.of(forms);
    }).map(l -> NODES.objectNode().put("lookback", l));
  }

  static String hms(long seconds) {
    StringBuilder s = new StringBuilder();
    if (seconds >= 3600) s.append(seconds / 3600).append('h');
    if (seconds % 3600 >= 60) s.append(seconds % 3600 / 60).append('m');
    if (seconds % 60 > 0) s.append(seconds % 60).append('s');
    return s.toString();
  }

  /** startAt and endAt 1 s to 167 h apart (the longest window the CRD admits), at any precision and offset. */
  static Arbitrary<ObjectNode> absoluteWindows() {
    Arbitrary<Long> start = Arbitraries.longs().between(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond(),
        Instant.parse("2027-01-01T00:00:00Z").getEpochSecond());
    Arbitrary<Long> span = Arbitraries.longs().between(1, 167 * 3600);
    Arbitrary<Integer> nanos = Arbitraries.integers().between(0, 999_999_999);
    Arbitrary<Integer> digits = Arbitraries.integers().between(0, 9);
    Arbitrary<Integer> offset = Arbitraries.integers().between(-18 * 4, 18 * 4).map(q -> q * 15 * 60);
    return Combinators.combine(start, span, nanos, digits, offset, offset).as((s, d, n, p, o1, o2) -> {
      int truncated = p == 0 ? 0 : (int) (n / (long) Math.pow(10, 9 - p) * (long) Math.pow(10, 9 - p));
      Instant from = Instant.ofEpochSecond(s, truncated);
      Instant to = from.plusSeconds(d);
      return NODES.objectNode().put("startAt", rfc3339(from, p, o1)).put("endAt", rfc3339(to, p, o2));
    });
  }

  static String rfc3339(Instant instant, int digits, int offsetSeconds) {
    ZoneOffset zone = ZoneOffset.ofTotalSeconds(offsetSeconds);
    String text = SECONDS.format(instant.atOffset(zone));
    if (digits > 0) text += "." + String.format("%09d", instant.getNano()).substring(0, digits);
    return text + (offsetSeconds == 0 ? "Z" : zone.getId());
  }

  static Arbitrary<ObjectNode> konnect() {
    Arbitrary<String> label = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-").ofMinLength(1)
        .ofMaxLength(20).filter(l -> !l.startsWith("-") && !l.endsWith("-"));
    Arbitrary<String> name = label.list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l));
    Arbitrary<String> key = Arbitraries.strings().withChars("-._abcXYZ019").ofMinLength(1).ofMaxLength(30);
    Arbitrary<String> server = label.map(l -> "https://" + l + ".api.konghq.com");
    return Combinators.combine(name, key.optional(), server.optional()).as((n, k, s) -> {
      ObjectNode konnect = NODES.objectNode();
      ObjectNode authRef = konnect.putObject("authRef").put("name", n);
      k.ifPresent(v -> authRef.put("key", v));
      s.ifPresent(v -> konnect.put("serverURL", v));
      return konnect;
    });
  }

  // ---- one field outside the schema --------------------------------------------------------------------------

  @Provide
  Arbitrary<Mutation> mutations() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange('A', 'Z').ofLength(2).map(r -> set("spec.region", "region", r)),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(3).ofMaxLength(8)
            .map(r -> set("spec.region", "region", r)),
        Arbitraries.integers().between(0, 99).map(n -> new Mutation("spec.region", s -> {
          s.put("region", n);
          return s;
        })),
        Arbitraries.just(new Mutation("spec.region", s -> {
          s.remove("region");
          return s;
        })),
        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20).map(p -> set("spec.portalID", "portalID",
            "portal-" + p)),
        Arbitraries.integers().between(6, 1000).map(b -> setInt("spec.backoffLimit", "backoffLimit", b)),
        Arbitraries.integers().between(-1000, -1).map(b -> setInt("spec.backoffLimit", "backoffLimit", b)),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(64).ofMaxLength(100)
            .map(n -> set("spec.rerunNonce", "rerunNonce", n)),
        Arbitraries.of("yes", "true", "1").map(v -> set("spec.suspend", "suspend", v)),
        Arbitraries.of("1d", "24 hours", "-1h", "24", "30s", "59s", "169h", "200h", "0m").map(l -> new Mutation(
            "spec.window.lookback", s -> {
              s.set("window", NODES.objectNode().put("lookback", l));
              return s;
            })),
        Arbitraries.of("yesterday", "2026-11-20 00:00:00Z", "2026-11-20T00:00:00", "20261120T000000Z")
            .map(t -> new Mutation("spec.window.startAt", s -> {
              s.set("window", NODES.objectNode().put("startAt", t).put("endAt", "2026-11-20T06:00:00Z"));
              return s;
            })),
        Arbitraries.of("Konnect_Token", "-token", "token-", "TOKEN", "a..b").map(n -> new Mutation(
            "spec.konnect.authRef.name", s -> {
              s.withObjectProperty("konnect").withObjectProperty("authRef").put("name", n);
              return s;
            })),
        Arbitraries.of("ftp://us.api.konghq.com", "us.api.konghq.com", "https://", "https://a b").map(u -> new Mutation(
            "spec.konnect.serverURL", s -> {
              s.withObjectProperty("konnect").put("serverURL", u);
              return s;
            })));
  }

  static Mutation set(String path, String field, String value) {
    return new Mutation(path, s -> {
      s.put(field, value);
      return s;
    });
  }

  static Mutation setInt(String path, String field, int value) {
    return new Mutation(path, s -> {
      s.put(field, value);
      return s;
    });
  }
}
