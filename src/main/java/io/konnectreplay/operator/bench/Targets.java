package io.konnectreplay.operator.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The targets the figures are held against: value, limit, met or missed, and value ÷ limit. */
final class Targets {
  private Targets() {}

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> evaluate(Map<String, Object> r) {
    Map<String, Object> spread = (Map<String, Object>) r.get("spread");
    Map<String, Object> queued = (Map<String, Object>) r.get("queued");
    Map<String, Object> latency = (Map<String, Object>) spread.get("creationToPutMs");
    Map<String, Object> rest = (Map<String, Object>) r.get("atRest");
    Map<String, Object> memory = (Map<String, Object>) r.get("memory");
    Map<String, Object> startup = (Map<String, Object>) ((Map<String, Object>) r.get("startup"))
        .get("withSpreadResources");
    List<Map<String, Object>> t = new ArrayList<>();
    atMost(t, "spread creation→PUT p50 (ms)", num(latency, "p50"), 50);
    atMost(t, "spread creation→PUT p99 (ms)", num(latency, "p99"), 250);
    atMost(t, "spread completion ÷ baseline", num(spread, "ratioToBaseline"), 1.25);
    for (var s : List.of(Map.entry("spread", spread), Map.entry("queued", queued))) {
      Map<String, Object> konnect = (Map<String, Object>) s.getValue().get("konnectPerRequest");
      atMost(t, s.getKey() + " Konnect requests per request", num(konnect, "total"), 3);
      exactly(t, s.getKey() + " PUTs per request", num(konnect, "put"), 1);
      atMost(t, s.getKey() + " status writes per request", num(s.getValue(), "statusWritesPerRequest"), 5);
    }
    exactly(t, "at rest: Konnect calls per minute", num(rest, "konnectCallsPerMinute"), 0);
    exactly(t, "at rest: API writes per minute", num(rest, "apiWritesPerMinute"), 0);
    atMost(t, "heap after GC with " + memory.get("resources") + " resources (MiB)", num(memory, "heapAfterGcMiB"), 150);
    atMost(t, "ready with " + startup.get("resources") + " resources (ms, launch→ready)",
        num(startup, "launchToReadyMs"), 3000);
    return t;
  }

  private static double num(Map<String, Object> m, String key) { return ((Number) m.get(key)).doubleValue(); }

  private static void atMost(List<Map<String, Object>> t, String name, double value, double limit) {
    add(t, name, value, "≤ " + fmt(limit), value <= limit, limit == 0 ? null : Benchmark.round(value / limit));
  }

  private static void exactly(List<Map<String, Object>> t, String name, double value, double expected) {
    add(t, name, value, "= " + fmt(expected), value == expected,
        expected == 0 ? null : Benchmark.round(value / expected));
  }

  private static void add(List<Map<String, Object>> t, String name, double value, String target, boolean met,
      Double ratio) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("value", value);
    m.put("target", target);
    m.put("met", met);
    m.put("ratio", ratio);
    t.add(m);
  }

  static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e12 ? String.valueOf((long) v) : String.valueOf(v);
  }
}
