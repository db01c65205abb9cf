package io.konnectreplay.operator.sandbox;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.konnectreplay.operator.config.GoDuration;
import io.konnectreplay.operator.emulator.JobTimings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar konnect-replay-operator.jar sandbox [--keep-running] [--port N] [--fast] [--timeout 3m]
 * [--kubeconfig PATH] [--plain]}: starts a {@link Sandbox}, shows the jobs while they run, prints a summary and
 * exits 0 when every sample job completed and every delivered event verified.
 */
public final class SandboxCommand {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
  private static final DateTimeFormatter WINDOW = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

  private SandboxCommand() {}

  /** Parsed command line. */
  record Options(boolean keepRunning, int port, boolean fast, Duration timeout, Path kubeconfig, boolean plain) {}

  /** The jar's entry: exits with the result's code (and stays up until Ctrl-C with --keep-running). */
  public static void run(String[] args) throws InterruptedException {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("sandbox: " + e.getMessage() + "\n" + usage());
      System.exit(2);
      return;
    }
    Path log = options.kubeconfig().toAbsolutePath().getParent().resolve("sandbox.log");
    logTo(log);
    boolean ansi = !options.plain() && System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM"));
    int code = execute(options, System.out, ansi, log);
    System.exit(code);
  }

  /**
   * Runs the sandbox and prints what a user sees to {@code out}; returns the exit code. With keep-running it
   * returns only after Ctrl-C (the JVM's shutdown).
   */
  static int execute(Options options, PrintStream out, boolean ansi, Path log) throws InterruptedException {
    return execute(options, out, ansi, log, (sandbox, result) -> { });
  }

  /** As above; {@code afterSummary} runs once the summary is printed, while everything is still up (tests). */
  static int execute(Options options, PrintStream out, boolean ansi, Path log,
      BiConsumer<Sandbox, SandboxResult> afterSummary) throws InterruptedException {
    Clock clock = Clock.systemUTC();
    Sandbox.Options sandboxOptions = Sandbox.Options.defaults().withKubernetesPort(options.port())
        .withKubeconfig(options.kubeconfig()).withTimings(options.fast() ? JobTimings.fast() : JobTimings.demo());
    out.println("konnect-replay-operator sandbox: a Kubernetes API, the Konnect emulator, webhook receivers and the"
        + " operator,");
    out.println("all on 127.0.0.1. Nothing leaves this machine and no Konnect account is needed.");
    out.println();
    long started = System.nanoTime();
    Sandbox sandbox;
    try {
      sandbox = Sandbox.start(sandboxOptions);
    } catch (RuntimeException e) {
      out.println("FAIL: the sandbox did not start: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread shutdown = new Thread(() -> {
      sandbox.close();
      stopped.countDown();
    }, "sandbox-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    try {
      describe(sandbox, sandboxOptions, out, log);
      ProgressTable table = new ProgressTable(out, ansi, clock);
      int samples = sandbox.sampleJobs().size();
      SandboxResult result = sandbox.awaitSamples(options.timeout(), jobs -> table.show(jobs,
          String.format("%d of %d sample jobs ended, %s elapsed", jobs.stream().filter(j -> j.phase() != null
              && j.phase().terminal() && sandbox.sampleJobs().contains(j.key())).count(), samples,
              seconds(System.nanoTime() - started))));
      table.release();
      out.println();
      summarize(sandbox, result, out, System.nanoTime() - started);
      afterSummary.accept(sandbox, result);
      if (!options.keepRunning()) {
        out.println();
        out.println("Run with --keep-running to keep everything up and try kubectl yourself.");
        return result.exitCode();
      }
      keepRunning(sandbox, out, clock);
      stopped.await();
      return result.exitCode();
    } finally {
      if (!options.keepRunning()) {
        Runtime.getRuntime().removeShutdownHook(shutdown);
        sandbox.close();
      }
    }
  }

  private static void describe(Sandbox sandbox, Sandbox.Options options, PrintStream out, Path log) {
    JobTimings t = options.timings();
    out.println("  Kubernetes API  " + sandbox.kubernetes().loopbackUrl()
        + "   (fabric8's mock API server, behind a proxy that streams watches for kubectl)");
    out.println("  Konnect         " + sandbox.emulator().baseUrl() + "/{region}   (emulator: a replay job stays "
        + millis(t.accepted()) + " accepted, " + millis(t.pending()) + " pending, " + millis(t.running())
        + " running)");
    out.println("  Webhooks        a receiver per region ("
        + sandbox.receivers().entrySet().stream().map(e -> e.getKey() + " :" + e.getValue().port())
            .collect(Collectors.joining(", ")) + ")");
    out.println("                  each checks the Authorization header and every event's signature");
    out.println("  Operator        watching all namespaces, Konnect server allow-list http://127.0.0.1:*");
    if (log != null) out.println("  Logs            " + log.toAbsolutePath());
    out.println();
    out.println("Applied the samples of deploy/samples/ to namespace " + Sandbox.SAMPLES_NAMESPACE + " ("
        + sandbox.sampleJobs().size() + " jobs, lookback windows).");
    out.println("Watch them with kubectl from another terminal:");
    out.println("  " + kubectl(sandbox) + " get alrj -A -w");
    out.println();
    out.flush();
  }

  private static void summarize(Sandbox sandbox, SandboxResult result, PrintStream out, long elapsedNanos) {
    out.println("Summary after " + seconds(elapsedNanos) + ":");
    String format = "  %-34s %-10s %-27s %9s %9s%n";
    out.printf(format, "JOB", "PHASE", "WINDOW (UTC)", "IN WINDOW", "VERIFIED");
    for (SandboxResult.JobOutcome o : result.jobs()) {
      Sandbox.JobView j = o.job();
      String window = j.startAt() == null ? "-" : WINDOW.format(j.startAt()) + " -> " + WINDOW.format(j.endAt());
      out.printf(format, j.key(), j.phase() == null ? "-" : j.phase(), window, o.expectedEvents(),
          o.verifiedEvents());
    }
    out.println("  (IN WINDOW: audit events of the job's target in its window; VERIFIED: of those, how many the"
        + " webhook received with a valid signature)");
    out.println();
    out.printf("Webhooks: %d events received, %d verified, %d rejected, %d duplicates", result.eventsReceived(),
        result.verified(), result.rejected(), result.duplicates());
    if (result.duplicates() > 0 && result.duplicates() == result.overlapDuplicates()) {
      out.print(" (all from sample jobs whose windows of the same target overlap: Konnect sends those events again)");
    }
    out.println(".");
    if (result.ok()) {
      out.println("PASS: every sample job completed and every delivered event verified.");
    } else {
      out.println("FAIL:");
      result.problems().forEach(p -> out.println("  - " + p));
    }
    out.flush();
  }

  private static void keepRunning(Sandbox sandbox, PrintStream out, Clock clock) {
    String kubectl = kubectl(sandbox);
    String regions = sandbox.receivers().keySet().stream().collect(Collectors.joining(", "));
    out.println();
    out.println("Everything stays up until Ctrl-C. Namespace " + Sandbox.USER_NAMESPACE
        + " (the kubeconfig's default) has Secret konnect-token,");
    out.println("holding the token the emulator accepts (" + sandbox.token() + "). Try your own job:");
    out.println();
    out.println("  cat <<'EOF' | " + kubectl + " apply -f -");
    out.println("  apiVersion: konnectreplay.io/v1alpha1");
    out.println("  kind: AuditLogReplayJob");
    out.println("  metadata:");
    out.println("    name: my-replay");
    out.println("  spec:");
    out.println("    region: us");
    out.println("    window:");
    out.println("      lookback: 1h");
    out.println("    konnect:");
    out.println("      authRef:");
    out.println("        name: konnect-token");
    out.println("  EOF");
    out.println("  " + kubectl + " get alrj -A");
    out.println("  " + kubectl + " get alrj my-replay -o yaml");
    out.println();
    out.println("Organization webhooks are set in every region (" + regions + "); the portals the samples name exist,"
        + " with webhooks.");
    out.println("Use `kubectl apply` to create resources: `kubectl create` sends protobuf, which this API server does"
        + " not read.");
    out.println("Changes to any job are printed below.");
    out.println();
    out.flush();
    ProgressTable changes = new ProgressTable(out, false, clock);
    changes.show(sandbox.jobs(), "");
    Thread watcher = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(500);
          changes.show(sandbox.jobs(), "");
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          return; // the API server is stopping
        }
      }
    }, "sandbox-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  static String kubectl(Sandbox sandbox) {
    String path = sandbox.kubeconfig().toAbsolutePath().normalize().toString();
    return "kubectl --kubeconfig " + (path.contains(" ") ? "'" + path + "'" : path);
  }

  static Options parse(String[] args) {
    boolean keepRunning = false;
    boolean fast = false;
    boolean plain = false;
    int port = 0;
    Duration timeout = DEFAULT_TIMEOUT;
    Path kubeconfig = Path.of("target", "sandbox", "kubeconfig");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      java.util.function.Supplier<String> value = valueOf(args, i, arg);
      if (!arg.contains("=") && List.of("--port", "--timeout", "--kubeconfig").contains(flag)) i++;
      switch (flag) {
        case "--keep-running" -> keepRunning = true;
        case "--fast" -> fast = true;
        case "--plain" -> plain = true;
        case "--port" -> {
          try {
            port = Integer.parseInt(value.get());
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port wants a number");
          }
          if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535");
        }
        case "--timeout" -> {
          timeout = GoDuration.parse(value.get());
          if (timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("--timeout must be > 0");
        }
        case "--kubeconfig" -> kubeconfig = Path.of(value.get());
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    return new Options(keepRunning, port, fast, timeout, kubeconfig, plain);
  }

  private static java.util.function.Supplier<String> valueOf(String[] args, int i, String arg) {
    return () -> {
      if (arg.contains("=")) return arg.substring(arg.indexOf('=') + 1);
      if (i + 1 >= args.length) throw new IllegalArgumentException(arg + " needs a value");
      return args[i + 1];
    };
  }

  public static String usage() {
    return """
        usage: java -jar konnect-replay-operator.jar sandbox [options]
          --keep-running     stay up after the summary, until Ctrl-C, to try kubectl
          --fast             replay jobs take a few hundred ms instead of a few seconds (tests)
          --port N           port of the Kubernetes API (default: any free port)
          --timeout D        give up when the sample jobs have not ended after D (default 3m)
          --kubeconfig PATH  where to write the kubeconfig (default target/sandbox/kubeconfig)
          --plain            one line per change instead of a table redrawn in place""";
  }

  /** Sends every log line to {@code file}: the terminal is for the table. */
  static void logTo(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
    } catch (java.io.IOException e) {
      return; // keep logging to the console
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return;
    context.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{24} %msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("sandbox-file");
    appender.setFile(file.toString());
    appender.setAppend(false);
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(appender);
    context.getLogger("io.konnectreplay").setLevel(Level.INFO);
  }

  private static String seconds(long nanos) {
    return String.format("%.1f s", nanos / 1e9);
  }

  private static String millis(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
