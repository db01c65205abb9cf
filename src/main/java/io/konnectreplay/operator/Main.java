package io.konnectreplay.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.http.OperatorHttpServer;
import io.konnectreplay.operator.http.ReplayMetrics;
import io.konnectreplay.operator.konnect.OkHttpKonnectClient;
import java.time.Clock;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Entry point: runs the operator, or one of the sub-commands (sandbox, emulator, bench). */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    String command = args.length > 0 && !args[0].startsWith("-") ? args[0] : "run";
    String[] rest = args.length > 0 && !args[0].startsWith("-") ? Arrays.copyOfRange(args, 1, args.length) : args;
    if (Arrays.asList(args).contains("--help") || command.equals("help")) {
      System.out.println(switch (command) {
        case "sandbox" -> io.konnectreplay.operator.sandbox.SandboxCommand.usage();
        case "emulator" -> io.konnectreplay.operator.emulator.EmulatorCommand.usage();
        default -> usage();
      });
      return;
    }
    switch (command) {
      case "run" -> runOperator(rest);
      case "sandbox" -> io.konnectreplay.operator.sandbox.SandboxCommand.run(rest);
      case "emulator" -> io.konnectreplay.operator.emulator.EmulatorCommand.run(rest);
      case "bench" -> io.konnectreplay.operator.bench.BenchmarkCommand.run(rest);
      default -> {
        System.err.println("unknown command \"" + command + "\"\n\n" + usage());
        System.exit(2);
      }
    }
  }

  static String usage() {
    return """
        %s
        usage: java -jar konnect-replay-operator.jar [command] [--setting-name=value …]

        commands:
          run        (default) run the operator against the cluster in KUBECONFIG or in-cluster config
          sandbox    run everything on this machine: embedded Kubernetes API, Konnect emulator, webhook, operator
          emulator   run the Konnect emulator alone (--port N)
          bench      run the benchmark

        Settings come from environment variables (see README) or --kebab-case flags, e.g. --poll-interval-max=10s.
        """.formatted(OkHttpKonnectClient.userAgent().replace('/', ' '));
  }

  /** Selects the log format before the first logger is created. */
  static void configureLogging(String[] args) {
    String format = System.getenv("LOG_FORMAT");
    for (String arg : args) if (arg.startsWith("--log-format=")) format = arg.substring("--log-format=".length());
    if ("json".equalsIgnoreCase(format) && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

  static void runOperator(String[] args) throws Exception {
    configureLogging(args);
    Logger log = LoggerFactory.getLogger(Main.class);
    OperatorSettings settings = OperatorSettings.fromEnvironment(args);
    Clock clock = Clock.systemUTC();
    Config kubeConfig = Config.autoConfigure(null);
    // Over plain http (a local API such as the sandbox's) speak HTTP/1.1: the JDK client's h2c upgrade is unreliable
    // there. https servers negotiate HTTP/2 with ALPN as usual.
    if (kubeConfig.getMasterUrl() != null && kubeConfig.getMasterUrl().startsWith("http:")) {
      kubeConfig.setHttp2Disable(true);
    }
    // The shutdown hook comes first, so that a SIGTERM during start-up also stops what has started so far (in
    // reverse order: HTTP endpoints, the operator and its Lease, then the clients).
    Deque<AutoCloseable> started = new ConcurrentLinkedDeque<>();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("stopping");
      for (AutoCloseable part = started.pollLast(); part != null; part = started.pollLast()) {
        try {
          part.close();
        } catch (Exception e) {
          log.warn("while stopping: {}", e.toString());
        }
      }
      stopped.countDown();
    }, "shutdown"));
    KubernetesClient kubernetes = new KubernetesClientBuilder().withConfig(kubeConfig).build();
    started.add(kubernetes);
    OperatorRuntime runtime = OperatorRuntime.wired(settings, kubernetes, clock, b -> b, true);
    started.add(runtime);
    ReplayMetrics metrics = runtime.metrics();
    OperatorHttpServer http = OperatorHttpServer.start("0.0.0.0", settings.httpPort(), () -> true, runtime::ready,
        metrics::scrape);
    started.add(http);
    log.info("konnect-replay-operator started: namespaces={}, regions={}, allowed servers={}, leader election={},"
        + " http port {}", settings.watchNamespaces().isEmpty() ? "all" : settings.watchNamespaces(),
        settings.regions(), settings.allowedServerUrls(), settings.leaderElection(), http.port());
    stopped.await();
  }
}
