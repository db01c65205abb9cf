package io.konnectreplay.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.konnectreplay.operator.config.OperatorSettings;
import io.konnectreplay.operator.config.OperatorSettings.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The jar's command line, run in-process: what it refuses, what it parses, what it prints. */
class CommandLineTest {
  @TempDir Path home;

  /** One in-process run of Main: its exit code, what it printed, the settings {@code run} handed on. */
  record Run(int code, String out, String err, OperatorSettings settings) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  static Run main(Map<String, String> env, Path home, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicReference<OperatorSettings> parsed = new AtomicReference<>();
    int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true),
        new RunCommand.Environment(env::get, home), (settings, environment, e) -> {
          parsed.set(settings);
          return 0;
        });
    return new Run(code, out.toString(), err.toString(), parsed.get());
  }

  Run main(String... args) {
    return main(Map.of(), home, args);
  }

  @Test
  void aTypoIsRefusedWithTheLikelySpelling() {
    Run run = main("run", "--pol-interval-max=5s");
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.settings()).isNull();
    assertThat(run.err()).contains("Unknown option: '--pol-interval-max=5s'").contains("--poll-interval-max")
        .contains("run --help");
    assertThat(run.errLines()).hasSizeLessThan(5);
  }

  @Test
  void bothSpellingsOfAValueWorkWithAndWithoutRun() {
    assertThat(main("--poll-interval-max=5s").settings().pollIntervalMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(main("--poll-interval-max", "5s").settings().pollIntervalMax()).isEqualTo(Duration.ofSeconds(5));
    assertThat(main("run", "--http-port", "9090").settings().httpPort()).isEqualTo(9090);
    assertThat(main().settings()).usingRecursiveComparison().isEqualTo(OperatorSettings.defaults(Map.of()));
  }

  @Test
  void flagsWinOverTheEnvironmentWhichStillWorksAlone() {
    Map<String, String> env = Map.of("POLL_INTERVAL_MAX", "1m", "WATCH_NAMESPACES", "a,b", "LEADER_ELECTION", "true");
    Run run = main(env, home, "--poll-interval-max", "10s");
    assertThat(run.settings().pollIntervalMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(run.settings().watchNamespaces()).containsExactlyInAnyOrder("a", "b");
    assertThat(run.settings().leaderElection()).isTrue();
  }

  @Test
  void aBareBooleanFlagMeansTrue() {
    assertThat(main("--leader-election").settings().leaderElection()).isTrue();
    assertThat(main("--leader-election", "false").settings().leaderElection()).isFalse();
    assertThat(main("--leader-election=TRUE").settings().leaderElection()).isTrue();
  }

  @Test
  void malformedValuesAreRefusedByNameFromFlagsAndFromTheEnvironment() {
    Run flag = main("--leader-election=yes");
    assertThat(flag.code()).isEqualTo(2);
    assertThat(flag.err()).contains("--leader-election (LEADER_ELECTION): wants true or false, not \"yes\"");
    Run env = main(Map.of("POLL_INTERVAL_MAX", "soon"), home);
    assertThat(env.code()).isEqualTo(2);
    assertThat(env.err()).contains("POLL_INTERVAL_MAX").contains("not a duration: \"soon\"");
    assertThat(main("--konnect-max-rps=NaN").err()).contains("--konnect-max-rps");
    assertThat(main("--http-port", "65536").err()).contains("wants a number from 0 to 65535");
    assertThat(main("--poll-interval-max=0s").err()).contains("must be longer than zero");
    assertThat(main("--poll-interval-max=3000000h").err()).contains("is too long");
    assertThat(main("run", "extra").err()).contains("Unmatched argument");
    assertThat(main("frobnicate").code()).isEqualTo(2);
  }

  @Test
  void runHelpListsEverySettingWithItsVariableAndDefault() {
    Run run = main("run", "--help");
    assertThat(run.code()).isZero();
    String help = run.out().replaceAll("\\s+", "");
    for (Setting s : OperatorSettings.SETTINGS) {
      assertThat(help).contains(s.flag() + (s.label().equals("true|false") ? "[=" : "=")).contains(("env " + s.env() + "; default: " + s.defaultText() + ")")
          .replaceAll("\\s+", ""));
    }
  }

  @Test
  void everyCommandHasItsHelpWithDefaults() {
    Run root = main("--help");
    assertThat(root.code()).isZero();
    assertThat(root.out()).contains("run").contains("sandbox").contains("emulator").contains("bench");
    assertThat(main("help", "run").out()).contains("--poll-interval-max");
    assertThat(main("sandbox", "--help").out()).contains("--timeout=D").contains("Default: 3m")
        .contains("--kubeconfig=PATH").contains("Default: target/sandbox/kubeconfig");
    assertThat(main("emulator", "--help").out()).contains("--port=N").contains("Default: demo");
    assertThat(main("bench", "--help").out()).contains("--scale=small|full").contains("Default: full");
    assertThat(main("--version").out()).startsWith("konnect-replay-operator");
  }

  @Test
  void theToolingCommandsRefuseTyposToo() {
    assertThat(main("sandbox", "--tiemout", "1m").err()).contains("Unknown option").contains("'--tiemout'")
        .contains("Possible solutions: --timeout");
    assertThat(main("sandbox", "--timeout=soon").err()).contains("Invalid value for option '--timeout'");
    assertThat(main("emulator", "--port", "x").code()).isEqualTo(2);
    assertThat(main("bench", "--scale", "huge").code()).isEqualTo(2);
  }

  @Test
  void aCommandThisJarDoesNotHoldIsOneLine() {
    CommandLine missing = new CommandLine(MissingCommand.spec("sandbox"));
    StringWriter err = new StringWriter();
    missing.setErr(new PrintWriter(err, true));
    assertThat(missing.execute("--help", "--port", "1")).isEqualTo(1);
    assertThat(err.toString().lines()).containsExactly(
        "sandbox is not in this jar; use konnect-replay-operator.jar from a source build");
  }

  @Test
  void noClusterConfiguredIsOneLineThatSaysWhatToSet() {
    Run run = runOperator(Map.of(), () -> {
      throw new AssertionError("no config to read");
    });
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.errLines()).singleElement().asString().contains("KUBECONFIG").contains("in-cluster")
        .contains("sandbox");
  }

  @Test
  void anUnreachableClusterIsOneLineThatNamesIt() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path kubeconfig = home.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
        contexts: [{name: c, context: {cluster: c, user: u}}]
        current-context: c
        users: [{name: u, user: {token: not-a-real-one}}]
        """.formatted(closedPort));
    Run run = runOperator(Map.of("KUBECONFIG", kubeconfig.toString()),
        () -> Config.fromKubeconfig(kubeconfig.toFile()));
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.errLines()).singleElement().asString().contains("cannot reach the Kubernetes API at https://127.0.0.1:"
        + closedPort).contains("KUBECONFIG").contains("sandbox").doesNotContain("not-a-real-one");
  }

  /** The real operator start, which stops at the cluster check. */
  Run runOperator(Map<String, String> env, java.util.function.Supplier<Config> kubeConfig) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new String[] {"run"}, new PrintWriter(out, true), new PrintWriter(err, true),
        new RunCommand.Environment(env::get, home, kubeConfig), Main::runOperator);
    return new Run(code, out.toString(), err.toString(), null);
  }

  // ---- properties ----

  static final List<String> KNOWN = OperatorSettings.SETTINGS.stream().map(Setting::flag).toList();

  @Property(tries = 200)
  void anUnknownOptionIsRefused(@ForAll("unknownOptions") String option, @ForAll boolean separateValue,
      @ForAll("commands") String command) {
    List<String> args = new ArrayList<>(List.of(command));
    if (separateValue) args.addAll(List.of(option, "5s"));
    else args.add(option + "=5s");
    Run run = main(Map.of(), Path.of("/nonexistent"), args.toArray(String[]::new));
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains("Unknown option").contains(option);
    assertThat(run.settings()).isNull();
  }

  @Property(tries = 300)
  void aMalformedValueIsRefusedByName(@ForAll("malformed") Tuple2<Setting, String> bad, @ForAll boolean separate,
      @ForAll boolean fromEnvironment) {
    Setting s = bad.get1();
    Run run = fromEnvironment ? main(Map.of(s.env(), bad.get2()), Path.of("/nonexistent"))
        : main(Map.of(), Path.of("/nonexistent"), separate ? new String[] {s.flag(), bad.get2()}
            : new String[] {s.flag() + "=" + bad.get2()});
    assertThat(run.code()).as(run.err()).isEqualTo(2);
    assertThat(run.err()).contains(s.flag() + " (" + s.env() + "): ");
    assertThat(run.settings()).isNull();
  }

  @Property(tries = 300)
  void validValuesAreParsed(@ForAll @IntRange(min = 1, max = 1_000_000) int seconds,
      @ForAll @IntRange(min = 0, max = 65535) int port, @ForAll @IntRange(min = 1, max = 10_000) int threads,
      @ForAll boolean leader, @ForAll boolean separate) {
    Map<String, String> values = new HashMap<>();
    values.put("--poll-interval-max", io.konnectreplay.operator.config.GoDuration.format(Duration.ofSeconds(seconds)));
    values.put("--http-port", Integer.toString(port));
    values.put("--reconcile-threads", Integer.toString(threads));
    values.put("--leader-election", Boolean.toString(leader));
    List<String> args = new ArrayList<>();
    values.forEach((flag, value) -> {
      if (separate) args.addAll(List.of(flag, value));
      else args.add(flag + "=" + value);
    });
    Run run = main(Map.of(), Path.of("/nonexistent"), args.toArray(String[]::new));
    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.settings().pollIntervalMax()).isEqualTo(Duration.ofSeconds(seconds));
    assertThat(run.settings().httpPort()).isEqualTo(port);
    assertThat(run.settings().reconcileThreads()).isEqualTo(threads);
    assertThat(run.settings().leaderElection()).isEqualTo(leader);
  }

  @Provide
  Arbitrary<String> commands() {
    return Arbitraries.of("run", "sandbox", "emulator", "bench");
  }

  @Provide
  Arbitrary<String> unknownOptions() {
    return Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMinLength(1).ofMaxLength(30)
        .map(name -> "--" + name).filter(o -> !KNOWN.contains(o) && !o.equals("--help") && !o.equals("--version")
            && !List.of("--keep-running", "--fast", "--port", "--timeout", "--kubeconfig", "--plain", "--token",
                "--portal", "--timings", "--scale", "--out", "--in-process", "--rps", "--threads", "--sink",
                "--no-sink", "--sink-port", "--live-interval", "--event-interval", "--inactive-after").contains(o));
  }

  @Provide
  Arbitrary<Tuple2<Setting, String>> malformed() {
    // no leading '-': a separate value that looks like an option is refused too, but as a missing value
    Arbitrary<String> junk = Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(12)
        .filter(v -> !v.startsWith("-"));
    return Arbitraries.oneOf(
        Combinators.combine(settings("POLL_INTERVAL_MAX", "LEADER_ELECTION_LEASE_DURATION",
            "LEADER_ELECTION_RENEW_DEADLINE", "LEADER_ELECTION_RETRY_PERIOD", "TERMINATION_TIMEOUT"),
            junk.filter(v -> refused(v, io.konnectreplay.operator.config.GoDuration::parse))).as(Tuple::of),
        Combinators.combine(settings("HTTP_PORT", "RECONCILE_THREADS"), Arbitraries.oneOf(
            junk.filter(v -> refused(v, Integer::parseInt)), Arbitraries.of("70000", "99999999999"))).as(Tuple::of),
        Combinators.combine(settings("RECONCILE_THREADS"), Arbitraries.of("0")).as(Tuple::of),
        Combinators.combine(settings("LEADER_ELECTION"),
            junk.filter(v -> !v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false"))).as(Tuple::of),
        Combinators.combine(settings("LOG_FORMAT"),
            junk.filter(v -> !v.equalsIgnoreCase("text") && !v.equalsIgnoreCase("json"))).as(Tuple::of),
        Combinators.combine(settings("KONNECT_MAX_RPS"), Arbitraries.oneOf(
            junk.filter(v -> refused(v, Double::parseDouble)), Arbitraries.of("0", "0.0", "NaN", "Infinity")))
            .as(Tuple::of));
  }

  private static boolean refused(String value, java.util.function.Function<String, ?> parse) {
    try {
      parse.apply(value);
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  private static Arbitrary<Setting> settings(String... names) {
    return Arbitraries.of(OperatorSettings.SETTINGS.stream().filter(s -> List.of(names).contains(s.env())).toList());
  }
}
