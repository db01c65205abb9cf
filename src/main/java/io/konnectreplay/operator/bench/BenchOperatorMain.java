package io.konnectreplay.operator.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operator (or the baseline) in a JVM of its own, so its heap and RSS are measured apart from the mock API and
 * the emulator. Arguments: {@code operator|baseline KUBERNETES_URL [SETTING=value …]}. Answers the benchmark on
 * stdout with lines starting {@value #PREFIX}; reads commands (STATS, MEMORY, STOP) from stdin.
 */
public final class BenchOperatorMain {
  static final String PREFIX = "@@bench ";

  private BenchOperatorMain() {}

  public static void main(String[] args) throws Exception {
    BenchOperator.Mode mode = BenchOperator.Mode.valueOf(args[0].toUpperCase(java.util.Locale.ROOT));
    Map<String, String> settings = new LinkedHashMap<>();
    for (int i = 2; i < args.length; i++) {
      settings.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
    }
    BenchOperator operator = BenchOperator.start(mode, args[1], settings);
    long uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
    say("READY " + operator.startToReadyNanos() + " " + uptime);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String command = in.readLine(); command != null; command = in.readLine()) {
      switch (command.strip()) {
        case "STATS" -> say("STATS " + operator.statusWrites() + " " + (operator.ready() ? 1 : 0));
        case "MEMORY" -> say("MEMORY " + BenchOperator.heapAfterGc() + " " + BenchOperator.residentSetBytes() + " "
            + Runtime.getRuntime().maxMemory());
        case "STOP" -> {
          operator.close();
          say("STOPPED");
          System.exit(0);
        }
        default -> say("ERROR unknown command " + command);
      }
    }
    operator.close();
    System.exit(0);
  }

  private static void say(String line) {
    synchronized (System.out) {
      System.out.println(PREFIX + line);
      System.out.flush();
    }
  }
}
