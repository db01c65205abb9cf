package io.konnectreplay.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.http.OperatorHttpServer;
import io.konnectreplay.operator.http.ReplayMetrics;
import io.konnectreplay.operator.konnect.OkHttpKonnectClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: runs the operator ({@code run}, the default), or one of the tooling commands (sandbox, emulator,
 * bench) when the jar holds them. The image's jar holds only the operator, so the tooling commands are looked up by
 * name and never linked from here.
 */
public final class Main {
  static final String JAR = "konnect-replay-operator.jar";

  /** Tooling commands: name → class, present in the full jar only. */
  static final List<Map.Entry<String, String>> TOOLING = List.of(
      Map.entry("sandbox", "io.konnectreplay.operator.sandbox.SandboxCommand"),
      Map.entry("emulator", "io.konnectreplay.operator.emulator.EmulatorCommand"),
      Map.entry("bench", "io.konnectreplay.operator.bench.BenchmarkCommand"));

  private Main() {}

  public static void main(String[] args) {
    int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        new RunCommand.Environment(System::getenv, Path.of(System.getProperty("user.home"))), Main::runOperator);
    System.exit(code);
  }

  /**
   * Parses {@code args} and runs the command; returns the exit code: 0, 1 when the command failed, 2 for a command
   * line it refused. {@code operator} runs the operator with the settings {@code run} parsed.
   */
  static int execute(String[] args, PrintWriter out, PrintWriter err, RunCommand.Environment environment,
      RunCommand.Operator operator) {
    CommandLine cli = commandLine(environment, operator);
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(withDefaultCommand(args));
  }

  static CommandLine commandLine(RunCommand.Environment environment, RunCommand.Operator operator) {
    CommandLine cli = new CommandLine(new Root());
    cli.setExpandAtFiles(false); // an argument is what it says, never the name of a file to read arguments from
    cli.addSubcommand("run", RunCommand.commandLine(environment, operator));
    TOOLING.forEach(t -> cli.addSubcommand(t.getKey(), tooling(t.getKey(), t.getValue())));
    cli.addSubcommand("help", new CommandLine.HelpCommand());
    // A refused command line: the reason, the likely spellings of an unknown option, where the help is. Not the whole
    // usage, which would bury the reason.
    cli.setParameterExceptionHandler((e, args) -> {
      CommandLine line = e.getCommandLine();
      line.getErr().println(e.getMessage());
      CommandLine.UnmatchedArgumentException.printSuggestions(e, line.getErr());
      line.getErr().println("Try '" + line.getCommandSpec().qualifiedName() + " --help' for more information.");
      return 2;
    });
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println(line.getCommandName() + ": " + e);
      return 1;
    });
    return cli;
  }

  /** No command, or options first: {@code run}. */
  static String[] withDefaultCommand(String[] args) {
    boolean rootOption = args.length > 0 && List.of("-h", "--help", "-V", "--version").contains(args[0]);
    if (args.length > 0 && (!args[0].startsWith("-") || rootOption)) return args;
    String[] withRun = new String[args.length + 1];
    withRun[0] = "run";
    System.arraycopy(args, 0, withRun, 1, args.length);
    return withRun;
  }

  /** The tooling command if this jar has it, else a stand-in that says where to find it. */
  private static Object tooling(String name, String className) {
    try {
      return Class.forName(className).getConstructor().newInstance();
    } catch (ClassNotFoundException e) {
      return MissingCommand.spec(name);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create the " + name + " command", e);
    }
  }

  @Command(name = "java -jar " + JAR, mixinStandardHelpOptions = true, versionProvider = Root.Version.class,
      description = "Kubernetes operator for Kong Konnect audit-log replay jobs.",
      footer = {"", "Without a command: run. `run --help` lists every setting: an environment variable, or the same"
          + " name as a flag (--poll-interval-max=10s or --poll-interval-max 10s); flags win."})
  static final class Root implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
      @Override
      public String[] getVersion() {
        return new String[] {OkHttpKonnectClient.userAgent().replace('/', ' ')};
      }
    }
  }

  /** Selects the log format before the first logger is created. */
  static void configureLogging(OperatorSettings settings) {
    if ("json".equals(settings.logFormat()) && System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
  }

  /**
   * Runs the operator until the JVM stops; returns 1 at once, with one line on {@code err}, when no cluster is
   * configured or its API does not answer.
   */
  static int runOperator(OperatorSettings settings, RunCommand.Environment environment, PrintWriter err)
      throws Exception {
    configureLogging(settings); // before fabric8's first logger
    Optional<String> noCluster = ClusterCheck.problem(environment);
    if (noCluster.isPresent()) {
      err.println(noCluster.get());
      return 1;
    }
    Logger log = LoggerFactory.getLogger(Main.class);
    Clock clock = Clock.systemUTC();
    Config kubeConfig = environment.kubeConfig().get();
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
    KubernetesClient kubernetes = LeaseFence.client(kubeConfig);
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
    return 0;
  }
}
