package io.konnectreplay.operator.sandbox;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import io.konnectreplay.operator.config.CommandLineTypes;
import io.konnectreplay.operator.emulator.JobTimings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar konnect-replay-operator.jar sandbox [--keep-running] [--port N] [--fast] [--timeout 3m]
 * [--outage 20s] [--kubeconfig PATH] [--plain]}: starts a {@link Sandbox}, shows the jobs while they run, takes one
 * webhook receiver down for a while, prints a summary and exits 0 when every sample job completed, every delivered
 * event verified and the gap-healing policies brought back every event the outage lost.
 */
@Command(name = "sandbox", sortOptions = false, showDefaultValues = true,
    description = "Run everything on this machine: an embedded Kubernetes API, the Konnect emulator, webhook"
        + " receivers, the operator and the sample resources; then takes one webhook receiver down and lets the"
        + " gap-healing policies replay what it missed. Exits 0 when every sample job completed, every delivered"
        + " event verified and no event was lost.")
public final class SandboxCommand implements Callable<Integer> {
  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(3);
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter WINDOW = DateTimeFormatter.ofPattern("MM-dd HH:mm").withZone(ZoneOffset.UTC);

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
  @Option(names = "--keep-running", description = "stay up after the summary, until Ctrl-C, to try kubectl")
  boolean keepRunning;
  @Option(names = "--fast", description = "replay jobs take a few hundred ms instead of a few seconds (tests)")
  boolean fast;
  @Option(names = "--port", paramLabel = "N", defaultValue = "0", converter = CommandLineTypes.Port.class,
      description = "port of the Kubernetes API (0: any free port)")
  int port;
  @Option(names = "--timeout", paramLabel = "D", defaultValue = "3m",
      converter = CommandLineTypes.PositiveDuration.class,
      description = "give up when the sample jobs have not ended after D")
  Duration timeout;
  @Option(names = "--outage", paramLabel = "D", defaultValue = "20s", converter = OutageLength.class,
      description = "how long one webhook receiver is down once its region's sample jobs have ended (0s: no"
          + " outage; else at least 12s, so that a policy's 10s check sees it)")
  Duration outage;
  @Option(names = "--kubeconfig", paramLabel = "PATH", defaultValue = "target/sandbox/kubeconfig",
      description = "where to write the kubeconfig")
  Path kubeconfig;
  @Option(names = "--plain", description = "one line per change instead of a table redrawn in place")
  boolean plain;

  /** Parsed command line. */
  record Options(boolean keepRunning, int port, boolean fast, Duration timeout, Path kubeconfig, boolean plain,
      Duration outage) {}

  /** 0s, or at least {@link HealingDemo#SHORTEST_OUTAGE}. */
  static final class OutageLength implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d;
      try {
        d = io.konnectreplay.operator.config.GoDuration.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
      if (!d.isZero() && d.compareTo(HealingDemo.SHORTEST_OUTAGE) < 0) {
        throw new CommandLine.TypeConversionException("'" + value + "' is shorter than "
            + HealingDemo.SHORTEST_OUTAGE.toSeconds() + "s: a policy checking every " + HealingDemo.CHECK_INTERVAL
            + " might not see it (0s turns the outage off)");
      }
      return d;
    }
  }

  /** The jar's entry: returns the result's code (and stays up until Ctrl-C with --keep-running). */
  @Override
  public Integer call() throws InterruptedException {
    Options options = options();
    Path log = options.kubeconfig().toAbsolutePath().getParent().resolve("sandbox.log");
    logTo(log);
    boolean ansi = !options.plain() && System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM"));
    return execute(options, System.out, ansi, log);
  }

  Options options() {
    return new Options(keepRunning, port, fast, timeout, kubeconfig, plain, outage);
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
        .withKubeconfig(options.kubeconfig()).withTimings(options.fast() ? JobTimings.fast() : JobTimings.demo())
        .withOutage(options.outage());
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
              seconds(System.nanoTime() - started))), table::note);
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
    HealingDemo healing = sandbox.healing();
    out.println("Gap healing: a policy watches every sample target (" + healing.watched().stream()
        .map(w -> w.target().contains("/portal/") ? ProgressTable.shortTarget(w.target()) : w.target())
        .collect(Collectors.joining(", ")) + "); the emulator streams live events to every webhook.");
    if (healing.stage() == HealingDemo.Stage.OFF) {
      out.println("No receiver outage in this run" + (options.outage().isZero() ? " (--outage 0s)." : "."));
    } else {
      out.println("Once region " + healing.region() + "'s sample jobs have ended, its receiver goes down for "
          + options.outage().toSeconds() + " s; its policies (checks every " + HealingDemo.CHECK_INTERVAL
          + ", margin " + HealingDemo.MARGIN + ") must replay what it missed.");
    }
    out.println("Watch them with kubectl from another terminal:");
    out.println("  " + kubectl(sandbox) + " get alrj -A -w");
    out.println("  " + kubectl(sandbox) + " get alrp -A -w");
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
    summarizeHealing(result, out);
    out.printf("Webhooks: %d events received, %d verified, %d rejected, %d duplicates", result.eventsReceived(),
        result.verified(), result.rejected(), result.duplicates());
    if (result.duplicates() > 0 && result.duplicates() <= result.expectedDuplicates()) {
      out.print(" (replays re-send events that already arrived live or in an overlapping window, as Konnect does)");
    }
    out.println(".");
    if (result.ok()) {
      out.println("PASS: every sample job completed, every delivered event verified, and lost: 0 for every target.");
    } else {
      out.println("FAIL:");
      result.problems().forEach(p -> out.println("  - " + p));
    }
    out.flush();
  }

  private static void summarizeHealing(SandboxResult result, PrintStream out) {
    SandboxResult.Healing h = result.healing();
    if (h != null) {
      Duration length = h.length();
      out.println("Outage: receiver " + h.region() + (h.downAt() == null ? " never went down."
          : " down " + TIME.format(h.downAt()) + " -> " + (h.upAt() == null ? "(still down)"
          : TIME.format(h.upAt()) + " (" + length.toMillis() / 1000 + "." + length.toMillis() % 1000 / 100 + " s)")));
      String format = "  %-30s %-19s %-21s %-34s %-10s %8s %5s%n";
      out.printf(format, "POLICY", "GAP (UTC)", "TARGET", "REPLAY IT CREATED", "PHASE", "REFUSED", "LOST");
      for (SandboxResult.PolicyHealing p : h.policies()) {
        String gap = p.gapStart() == null ? "-" : TIME.format(p.gapStart()) + " -> "
            + (p.gapEnd() == null ? "open" : TIME.format(p.gapEnd()));
        String replay = p.replays().isEmpty() ? "-" : p.replays().stream().map(r -> r.job().name())
            .collect(Collectors.joining(", "));
        String phase = p.replays().isEmpty() ? "-" : p.replays().stream()
            .map(r -> r.job().phase() == null ? "-" : r.job().phase().name()).collect(Collectors.joining(", "));
        out.printf(format, p.policy(), gap, ProgressTable.shortTarget(p.target()), replay, phase, p.emitted(),
            p.lost());
      }
      out.println("  (REFUSED: events Konnect's live delivery sent to the target while the receiver was down; LOST: of"
          + " those, never received)");
    }
    out.println("Lost: " + result.targets().stream().map(t -> ProgressTable.shortTarget(t.target()) + " " + t.lost())
        .collect(Collectors.joining(", ")) + ".");
    out.println();
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
    out.println("The gap-healing policies keep watching every sample target and the emulator keeps streaming live"
        + " events:");
    out.println("  " + kubectl + " get alrp -A");
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

  /** Parses a command line as the jar does; a refused one is a {@link CommandLine.ParameterException}. */
  static Options parse(String[] args) {
    SandboxCommand command = new SandboxCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
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
