package io.konnectreplay.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench [--scale small|full] [--out target/bench/results.json] [--in-process] [--rps N] [--threads N]}: runs
 * the scenarios, prints the figures as a table and writes them as JSON.
 */
public final class BenchmarkCommand {
  /** Held so JUL keeps the level: the mock server logs every request at INFO, which would slow it down. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  private BenchmarkCommand() {}

  public static void run(String[] args) throws Exception {
    String scale = "full";
    Path out = Path.of("target/bench/results.json");
    boolean inProcess = false;
    Map<String, String> settings = Benchmark.defaultSettings();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = args[++i];
        case "--out" -> out = Path.of(args[++i]);
        case "--in-process" -> inProcess = true;
        case "--rps" -> settings.put("KONNECT_MAX_RPS", args[++i]);
        case "--threads" -> settings.put("RECONCILE_THREADS", args[++i]);
        default -> {
          if (args[i].startsWith("--scale=")) scale = args[i].substring(8);
          else if (args[i].startsWith("--out=")) out = Path.of(args[i].substring(6));
          else throw new IllegalArgumentException("unknown bench option " + args[i]);
        }
      }
    }
    Map<String, Object> results = run(BenchScale.named(scale), !inProcess, settings, out);
    System.out.println(table(results));
    System.out.println("written to " + out);
  }

  /** Runs and writes {@code out}; the operator in a child JVM (-Xmx256m) unless {@code childJvm} is false. */
  static Map<String, Object> run(BenchScale scale, boolean childJvm, Map<String, String> settings, Path out)
      throws Exception {
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    Path dir = out.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Benchmark.Options options = new Benchmark.Options(childJvm, List.of("-Xmx256m"), dir, settings);
    Map<String, Object> results = new Benchmark(scale, options).run();
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), results);
    return results;
  }

  @SuppressWarnings("unchecked")
  static String table(Map<String, Object> r) {
    List<String[]> rows = new ArrayList<>();
    Map<String, Object> machine = (Map<String, Object>) r.get("machine");
    rows.add(new String[] {"machine", machine.get("cores") + " cores, " + machine.get("memoryMiB") + " MiB, "
        + machine.get("java") + ", operator: " + machine.get("operatorJvm")});
    rows.add(new String[] {"settings", r.get("settings").toString()});
    flatten("", r, rows);
    StringBuilder sb = new StringBuilder();
    int width = rows.stream().mapToInt(row -> row[0].length()).max().orElse(10);
    sb.append(String.format("%-" + width + "s  %s%n", "figure", "value"));
    for (String[] row : rows) sb.append(String.format("%-" + width + "s  %s%n", row[0], row[1]));
    sb.append('\n');
    List<Map<String, Object>> targets = (List<Map<String, Object>>) r.get("targets");
    int nameWidth = targets.stream().mapToInt(t -> t.get("name").toString().length()).max().orElse(10);
    sb.append(String.format("%-" + nameWidth + "s  %10s  %-8s  %-6s  %s%n", "target", "value", "limit", "", "ratio"));
    for (Map<String, Object> t : targets) {
      sb.append(String.format("%-" + nameWidth + "s  %10s  %-8s  %-6s  %s%n", t.get("name"),
          Targets.fmt(((Number) t.get("value")).doubleValue()), t.get("target"),
          Boolean.TRUE.equals(t.get("met")) ? "met" : "MISSED", t.get("ratio") == null ? "-" : t.get("ratio")));
    }
    return sb.toString();
  }

  @SuppressWarnings("unchecked")
  private static void flatten(String prefix, Map<String, Object> m, List<String[]> rows) {
    for (Map.Entry<String, Object> e : m.entrySet()) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (prefix.isEmpty() && List.of("machine", "settings", "targets").contains(e.getKey())) continue;
      if (e.getValue() instanceof Map<?, ?> child) flatten(key, (Map<String, Object>) child, rows);
      else rows.add(new String[] {key, String.valueOf(e.getValue())});
    }
  }

}
