package io.konnectreplay.operator.emulator;

import io.konnectreplay.operator.config.CommandLineTypes;
import io.konnectreplay.operator.config.GoDuration;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar … emulator [options]}: runs the Konnect emulator alone until the process is killed, and prints the
 * server URLs, the token to use and a curl line to try. By default it works the way Kong's docs use the API: any
 * portal uuid is known, every target's webhook is enabled and delivers to a built-in sink (a {@link WebhookReceiver}
 * that checks every signature), and live audit events flow to every enabled webhook.
 */
@Command(name = "emulator", sortOptions = false, showDefaultValues = true,
    description = "Run the Konnect emulator alone until the process is killed; prints its URLs, the token to use "
        + "and a curl line to try.")
public final class EmulatorCommand implements Callable<Integer> {

  static final String SINK_AUTHORIZATION = "Bearer emulator-sink";

  /** How long the emulator's replay jobs take. */
  enum Timings { fast, demo }

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
  @Option(names = "--port", paramLabel = "N", defaultValue = "0", converter = CommandLineTypes.Port.class,
      description = "port to listen on (0: any free port)")
  int port;
  @Option(names = "--token", paramLabel = "T",
      description = "the token it accepts (default: a random kpat_ token, printed)")
  String token;
  @Option(names = "--portal", paramLabel = "REGION/UUID", converter = PortalConverter.class,
      showDefaultValue = CommandLine.Help.Visibility.NEVER,
      description = "only these portals exist, each with its region; repeat for more (default: any portal uuid "
          + "is known in every region, and one is created in the default region and printed)")
  List<Portal> portals = new ArrayList<>();
  @Option(names = "--timings", paramLabel = "fast|demo", defaultValue = "demo",
      description = "replay jobs take a few hundred ms (fast) or a few seconds (demo)")
  Timings timings;
  @Option(names = "--sink", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "start every webhook enabled and delivering to a built-in sink that verifies every event, whatever its Authorization "
          + "(default: on; --no-sink: webhooks start unconfigured, as in Konnect)")
  boolean sink;
  @Option(names = "--sink-port", paramLabel = "N", defaultValue = "0", converter = CommandLineTypes.Port.class,
      description = "port of the built-in sink (0: any free port)")
  int sinkPort;
  @Option(names = "--live-interval", paramLabel = "DURATION|off", defaultValue = "5s",
      converter = LiveIntervalConverter.class,
      description = "how often live audit events go to every enabled webhook (off: only replays deliver)")
  Duration liveInterval;
  @Option(names = "--event-interval", paramLabel = "DURATION", defaultValue = "10s",
      converter = CommandLineTypes.PositiveDuration.class,
      description = "time between two synthetic audit events of one target")
  Duration eventInterval;
  @Option(names = "--inactive-after", paramLabel = "N", defaultValue = "3", converter = CommandLineTypes.Count.class,
      description = "failed deliveries in a row after which a webhook's status reads inactive")
  int inactiveAfter;

  /**
   * Parsed command line.
   *
   * @param portals region and uuid of each {@code --portal}; empty: any portal is known
   * @param liveInterval null when live events are off
   */
  record Options(int port, String token, List<String[]> portals, JobTimings timings, boolean sink, int sinkPort,
      Duration liveInterval, Duration eventInterval, int inactiveAfter) {}

  /** A started emulator and its sink (null with {@code --no-sink}), and the default portal (null with --portal). */
  record Running(KonnectEmulator emulator, WebhookReceiver sink, String defaultPortal) implements AutoCloseable {
    @Override
    public void close() {
      emulator.close();
      if (sink != null) {
        sink.close();
      }
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    Options options = options();
    Running running = start(options, defaultDelivery(options));
    print(running, options, System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (running.sink() != null) {
        System.out.println("Sink: " + running.sink().summary());
      }
      running.close();
      stopped.countDown();
    }, "konnect-emulator-shutdown"));
    stopped.await();
    return 0;
  }

  Options options() {
    String t = token;
    if (t == null) {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      t = "kpat_emulator" + HexFormat.of().formatHex(random);
    }
    return new Options(port, t, portals.stream().map(p -> new String[] {p.region(), p.id()}).toList(),
        timings == Timings.fast ? JobTimings.fast() : JobTimings.demo(), sink, sinkPort, liveInterval,
        eventInterval, inactiveAfter);
  }

  /** Parses a command line as the jar does; a refused one is a {@link CommandLine.ParameterException}. */
  static Options parse(String[] args) {
    EmulatorCommand command = new EmulatorCommand();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  /** The text of {@code emulator --help}. */
  static String usage() {
    return new CommandLine(new EmulatorCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /** {@code --portal region/uuid}. */
  record Portal(String region, String id) {}

  static final class PortalConverter implements CommandLine.ITypeConverter<Portal> {
    @Override
    public Portal convert(String v) {
      int slash = v.indexOf('/');
      if (slash <= 0 || slash == v.length() - 1) {
        throw new CommandLine.TypeConversionException("'" + v + "' is not region/uuid");
      }
      return new Portal(v.substring(0, slash), v.substring(slash + 1));
    }
  }

  /** A positive duration, or {@code off} (null). */
  static final class LiveIntervalConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String v) {
      return "off".equalsIgnoreCase(v.strip()) ? null : new CommandLineTypes.PositiveDuration().convert(v);
    }
  }

  static Running start(Options options, ReplayDelivery delivery) {
    WebhookReceiver sink = options.sink()
        ? WebhookReceiver.start(options.sinkPort(), null, delivery.jwksJson()) : null;
    try {
      KonnectEmulator.Builder builder = KonnectEmulator.builder()
          .port(options.port())
          .token(options.token())
          .timings(options.timings())
          .delivery(delivery)
          .liveEvents(options.liveInterval())
          .inactiveAfterFailures(options.inactiveAfter())
          .anyPortal(options.portals().isEmpty());
      if (sink != null) {
        builder.defaultWebhook(sink.url().toString(), SINK_AUTHORIZATION, "json");
      }
      KonnectEmulator emulator = builder.start();
      for (String[] portal : options.portals()) {
        emulator.addPortal(portal[0], portal[1]);
      }
      String defaultPortal = null;
      if (options.portals().isEmpty()) {
        defaultPortal = UUID.randomUUID().toString();
        emulator.addPortal(emulator.defaultRegion(), defaultPortal);
      }
      return new Running(emulator, sink, defaultPortal);
    } catch (RuntimeException e) {
      if (sink != null) {
        sink.close();
      }
      throw e;
    }
  }

  static void print(Running running, Options options, PrintStream out) {
    KonnectEmulator emulator = running.emulator();
    out.println("Konnect emulator listening on " + emulator.baseUrl() + " (paths without a region go to "
        + emulator.defaultRegion() + ")");
    for (String region : emulator.regions()) {
      out.println("  " + region + ": " + emulator.regionUrl(region));
    }
    for (String[] portal : options.portals()) {
      out.println("  portal " + portal[1] + " in " + portal[0]);
    }
    if (running.defaultPortal() != null) {
      out.println("  portal " + running.defaultPortal() + " in " + emulator.defaultRegion()
          + " (any other portal uuid is known too)");
    }
    out.println("Token: " + options.token() + "   (Authorization: Bearer " + options.token() + ")");
    out.println("JWKS:  " + emulator.baseUrl() + "/v2/audit-log-webhook/jwks.json");
    if (running.sink() != null) {
      out.println("Sink:  " + running.sink().url() + " (every webhook starts enabled and delivers here; it verifies"
          + " every signature)");
    } else {
      out.println("Sink:  none (webhooks start unconfigured; PATCH one before replaying)");
    }
    out.println("Live:  " + (options.liveInterval() == null ? "off"
        : "audit events every " + GoDuration.format(options.eventInterval()) + " per target, sent every "
            + GoDuration.format(options.liveInterval()))
        + "; inactive after " + options.inactiveAfter() + " failed deliveries");
    Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
    Instant start = end.minus(Duration.ofHours(1));
    String portal = running.defaultPortal() != null ? running.defaultPortal()
        : options.portals().isEmpty() ? null : options.portals().get(0)[1];
    String region = running.defaultPortal() != null || options.portals().isEmpty() ? emulator.defaultRegion()
        : options.portals().get(0)[0];
    String job = emulator.baseUrl() + "/" + region + "/v3" + (portal == null ? "" : "/portals/" + portal)
        + "/audit-log-replay-job";
    out.println("Try:   curl -s -X PUT " + job + " -H 'Authorization: Bearer " + options.token() + "' \\");
    out.println("         -H 'Content-Type: application/json' -d '{\"start_at\":\"" + start + "\",\"end_at\":\""
        + end + "\"}'");
    out.println("       curl -s " + job + " -H 'Authorization: Bearer " + options.token() + "'");
    out.flush();
  }

  /** Konnect's delivery: synthetic audit events of the last 7 days, Ed25519-signed, gzip batches, retries. */
  static ReplayDelivery defaultDelivery(Options options) {
    return new SignedWebhookDelivery(new SyntheticAuditLog(Clock.systemUTC(), options.eventInterval(), 0L),
        AuditLogSigner.generate());
  }
}
