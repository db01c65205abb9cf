package io.konnectreplay.operator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.konnectreplay.operator.config.CommandLineTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench [--scale small|full] [--out target/bench/results.json] [--in-process] [--rps N] [--threads N]}: runs
 * the scenarios, prints the figures as a table and writes them as JSON.
 */
@Command(name = "bench", sortOptions = false, showDefaultValues = true,
    description = "Run the benchmark's scenarios; prints the figures as a table and writes them as JSON.")
public final class BenchmarkCommand implements Callable<Integer> {
  /** Held so JUL keeps the level: the mock server logs every request at INFO, which would slow it down. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  /** The benchmark's sizes. */
  enum Scale { small, full }

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
  @Option(names = "--scale", paramLabel = "small|full", defaultValue = "full", description = "how many resources")
  Scale scale;
  @Option(names = "--out", paramLabel = "PATH", defaultValue = "target/bench/results.json",
      description = "where to write the figures")
  Path out;
  @Option(names = "--in-process", description = "run the operator in this JVM instead of a child JVM (-Xmx256m)")
  boolean inProcess;
  @Option(names = "--rps", paramLabel = "N", converter = CommandLineTypes.Rate.class,
      description = "the operator's KONNECT_MAX_RPS (default: 5000, far above what the emulator answers)")
  Double rps;
  @Option(names = "--threads", paramLabel = "N", converter = CommandLineTypes.Count.class,
      description = "the operator's RECONCILE_THREADS (default: the operator's default)")
  Integer threads;

  @Override
  public Integer call() throws Exception {
    Map<String, String> settings = Benchmark.defaultSettings();
    if (rps != null) settings.put("KONNECT_MAX_RPS", rps.toString());
    if (threads != null) settings.put("RECONCILE_THREADS", threads.toString());
    Map<String, Object> results = run(BenchScale.named(scale.name()), !inProcess, settings, out);
    System.out.println(table(results));
    System.out.println("written to " + out);
    return 0;
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
