package io.konnectreplay.operator.bench;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.konnectreplay.operator.OperatorRuntime;
import io.konnectreplay.operator.config.OperatorSettings;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the benchmark measures, started in the current JVM: the operator wired as {@code Main} wires it (metrics
 * included, no HTTP server, no leader election), or the no-op baseline on the same JOSDK settings.
 */
final class BenchOperator implements AutoCloseable {

  enum Mode { OPERATOR, BASELINE }

  private final AutoCloseable stop;
  private final LongSupplier statusWrites;
  private final java.util.function.BooleanSupplier ready;
  private final long startToReadyNanos;

  private BenchOperator(AutoCloseable stop, LongSupplier statusWrites, java.util.function.BooleanSupplier ready,
      long startToReadyNanos) {
    this.stop = stop;
    this.statusWrites = statusWrites;
    this.ready = ready;
    this.startToReadyNanos = startToReadyNanos;
  }

  /** Starts and returns once the informers are synced (JOSDK's start waits for them). */
  static BenchOperator start(Mode mode, String kubernetesUrl, Map<String, String> settingsMap) {
    long t0 = System.nanoTime();
    OperatorSettings settings = OperatorSettings.defaults(settingsMap);
    KubernetesClient kubernetes = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(kubernetesUrl).withTrustCerts(true)
            // HTTP/1.1: the JDK client's h2c upgrade over plain http to the mock server fails now and then
            // ("Frame type(54) … exceeds MAX_FRAME_SIZE"), as fabric8's own mock clients avoid too.
            .withRequestTimeout(30_000).withHttp2Disable(true).build())
        .build();
    if (mode == Mode.BASELINE) {
      Operator operator = new Operator(o -> o.withKubernetesClient(kubernetes)
          .withCloseClientOnStop(false)
          .withUseSSAToPatchPrimaryResource(false)
          .checkingCRDAndValidateLocalModel(false)
          .withConcurrentReconciliationThreads(settings.reconcileThreads())
          .withReconciliationTerminationTimeout(settings.terminationTimeout()));
      BaselineReconciler reconciler = new BaselineReconciler(kubernetes);
      operator.register(reconciler, c -> c.watchingAllNamespaces());
      operator.start();
      long ready = System.nanoTime() - t0;
      return new BenchOperator(() -> { operator.stop(); kubernetes.close(); }, reconciler::writes,
          () -> operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy(),
          ready);
    }
    OperatorRuntime runtime = OperatorRuntime.wired(settings, kubernetes, Clock.systemUTC(), b -> b, false);
    long ready = System.nanoTime() - t0;
    return new BenchOperator(() -> { runtime.close(); kubernetes.close(); },
        () -> runtime.reconciler().statusWrites(), runtime::ready, ready);
  }

  long statusWrites() { return statusWrites.getAsLong(); }

  boolean ready() { return ready.getAsBoolean(); }

  /** From the call to {@link #start} until the operator was started with its caches synced. */
  long startToReadyNanos() { return startToReadyNanos; }

  @Override
  public void close() throws Exception { stop.close(); }

  /** Heap in use after a full collection, in bytes (several passes: one System.gc() may leave garbage). */
  static long heapAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** The process's resident set (VmRSS) in bytes, or -1 where /proc is not there. */
  static long residentSetBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
