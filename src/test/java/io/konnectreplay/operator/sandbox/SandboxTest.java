package io.konnectreplay.operator.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayJob;
import io.konnectreplay.operator.api.v1alpha1.AuditLogReplayPolicy;
import io.konnectreplay.operator.api.v1alpha1.Phase;
import io.konnectreplay.operator.emulator.WebhookReceiver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox end to end, in process, with fast emulator timings; kubectl against it when kubectl is installed (and
 * always on CI).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxTest {
  private static final List<String> SAMPLE_JOBS = List.of("samples/org-au-last-day", "samples/org-us-last-6h",
      "samples/portal-eu-first", "samples/portal-eu-second", "samples/portal-us-last-4h");

  @TempDir
  static Path dir;
  static Sandbox sandbox;
  static SandboxResult result;
  static String output;
  private static final ByteArrayOutputStream BYTES = new ByteArrayOutputStream();
  private static final CountDownLatch UP = new CountDownLatch(1);
  private static final CountDownLatch TESTS_DONE = new CountDownLatch(1);
  private static final ExecutorService COMMAND = Executors.newSingleThreadExecutor();
  private static Future<Integer> exitCode;

  /** Runs the command as a user would, and keeps it up (after its summary) until the tests are done with it. */
  @BeforeAll
  static void runTheCommand() throws Exception {
    SandboxCommand.Options options = SandboxCommand.parse(new String[] {"--fast", "--timeout", "80s",
        "--outage", "12s", "--kubeconfig", dir.resolve("kubeconfig").toString()});
    PrintStream out = new PrintStream(BYTES, true, StandardCharsets.UTF_8);
    exitCode = COMMAND.submit(() -> SandboxCommand.execute(options, out, false, null, (s, r) -> {
      sandbox = s;
      result = r;
      UP.countDown();
      try {
        TESTS_DONE.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    if (!UP.await(100, TimeUnit.SECONDS)) {
      exitCode.cancel(true);
    }
    output = BYTES.toString(StandardCharsets.UTF_8);
    assertThat(sandbox).as("the sandbox did not report within 100 s:\n" + output).isNotNull();
  }

  @AfterAll
  static void stop() throws Exception {
    TESTS_DONE.countDown();
    try {
      assertThat(exitCode.get(30, TimeUnit.SECONDS)).as(BYTES.toString(StandardCharsets.UTF_8)).isZero();
    } finally {
      COMMAND.shutdownNow();
    }
  }

  @Test
  @Order(1)
  void everySampleJobCompletesAndEveryDeliveredEventVerifies() {
    assertThat(result.problems()).isEmpty();
    assertThat(result.ok()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(result.jobs()).extracting(o -> o.job().key()).containsExactlyElementsOf(SAMPLE_JOBS);
    assertThat(result.jobs()).allSatisfy(o -> {
      assertThat(o.job().phase()).isEqualTo(Phase.Completed);
      assertThat(o.expectedEvents()).isPositive();
      assertThat(o.verifiedEvents()).isEqualTo(o.expectedEvents());
    });
    assertThat(result.verified()).isPositive().isEqualTo(result.eventsReceived());
    assertThat(result.rejected()).isZero();
    assertThat(result.unauthorized()).isZero();
    // portal-eu-second's 30 minutes lie inside portal-eu-first's 2 hours of the same portal, and every replay window
    // reaching into the run holds events that arrived live: sent again, as Konnect would, and nothing more
    assertThat(result.duplicates()).isPositive().isLessThanOrEqualTo(result.expectedDuplicates());
    assertThat(sandbox.receivers().values()).extracting(WebhookReceiver::rejected).containsOnly(0L);
  }

  @Test
  @Order(2)
  void theReceiverOutageIsHealedByOneOwnedReplayAndNothingIsLost() {
    SandboxResult.Healing healing = result.healing();
    assertThat(healing).as(output).isNotNull();
    // the first region with no policy from the samples folder (us has one, checking every minute)
    assertThat(healing.region()).isEqualTo("au");
    assertThat(healing.length()).isGreaterThanOrEqualTo(Duration.ofSeconds(12)).isLessThan(Duration.ofSeconds(14));
    assertThat(healing.policies()).hasSize(1);
    SandboxResult.PolicyHealing heal = healing.policies().get(0);
    assertThat(heal.policy()).isEqualTo("samples/heal-au-org");
    assertThat(heal.target()).isEqualTo("au/org");
    // the gap runs from the last healthy check before the outage to the first healthy check after it
    assertThat(heal.gapStart()).isBeforeOrEqualTo(healing.downAt());
    assertThat(heal.gapEnd()).isAfterOrEqualTo(healing.upAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertThat(heal.emitted()).as("live events the receiver refused").isGreaterThanOrEqualTo(20);
    assertThat(heal.lost()).isZero();
    assertThat(heal.replays()).hasSize(1);
    SandboxResult.JobOutcome replay = heal.replays().get(0);
    assertThat(replay.job().phase()).isEqualTo(Phase.Completed);
    // the gap widened by the margin on each side, every event of it delivered
    assertThat(replay.job().startAt()).isEqualTo(heal.gapStart().minus(Duration.ofSeconds(2)));
    assertThat(replay.job().endAt()).isEqualTo(heal.gapEnd().plus(Duration.ofSeconds(2)));
    assertThat(replay.expectedEvents()).isGreaterThanOrEqualTo(heal.emitted());
    assertThat(replay.verifiedEvents()).isEqualTo(replay.expectedEvents());
    assertThat(result.targets()).extracting(SandboxResult.TargetLoss::target).containsExactlyInAnyOrder("us/org",
        "au/org", "us/portal/3e551b39-0f5e-4a84-b0a9-2d7b4b0e6a11", "eu/portal/9b2f6c1e-4d7a-4c3b-8e5f-0a1b2c3d4e5f");
    assertThat(result.targets()).extracting(SandboxResult.TargetLoss::lost).containsOnly(0L);
    assertThat(result.lost()).isZero();

    AuditLogReplayJob owned = sandbox.client().resources(AuditLogReplayJob.class).inNamespace(Sandbox.SAMPLES_NAMESPACE)
        .withName(replay.job().name()).get();
    assertThat(owned.getMetadata().getLabels()).containsEntry(AuditLogReplayPolicy.POLICY_LABEL, "heal-au-org");
    assertThat(owned.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getKind()).isEqualTo("AuditLogReplayPolicy");
      assertThat(o.getName()).isEqualTo("heal-au-org");
      assertThat(o.getController()).isTrue();
    });
    AuditLogReplayPolicy policy = sandbox.client().resources(AuditLogReplayPolicy.class)
        .inNamespace(Sandbox.SAMPLES_NAMESPACE).withName("heal-au-org").get();
    assertThat(policy.getStatus().getGaps()).singleElement().satisfies(g -> {
      assertThat(g.getJob()).isEqualTo(replay.job().name());
      assertThat(g.getPhase()).isEqualTo("Completed");
    });
    assertThat(policy.getStatus().getConditions()).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo("Ready");
      assertThat(c.getStatus()).isEqualTo("True");
      assertThat(c.getReason()).isEqualTo("Healthy");
    });
    // the other policies saw no outage: no gap, no replay
    for (String other : List.of("heal-us-portal-3e551b39", "heal-eu-portal-9b2f6c1e", "org-us-gap-healing")) {
      AuditLogReplayPolicy p = sandbox.client().resources(AuditLogReplayPolicy.class)
          .inNamespace(Sandbox.SAMPLES_NAMESPACE).withName(other).get();
      assertThat(p).as(other).isNotNull();
      assertThat(p.getStatus().getGaps()).as(other).isNullOrEmpty();
    }
    assertThat(output).contains("Outage: receiver au down", "samples/heal-au-org ", replay.job().name(),
        "Lost: us/org 0, au/org 0, us/portal/3e551b39... 0, eu/portal/9b2f6c1e... 0.",
        "-- webhook receiver au (:" + sandbox.receiver("au").port() + ") down for 12 s",
        "PASS: every sample job completed, every delivered event verified, and lost: 0 for every target.");
  }

  @Test
  @Order(3)
  void everyFileOfTheSamplesFolderWasAppliedAsItIsAndEveryJobInItCompleted() throws IOException {
    Path folder = Path.of(System.getProperty("project.basedir", ".")).resolve("deploy/samples");
    List<String> files;
    try (var list = Files.list(folder)) {
      files = list.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList();
    }
    assertThat(files).as("the repository's deploy/samples").isNotEmpty().contains("00-namespace.yaml");
    List<Sandbox.Applied> applied = sandbox.appliedSamples();
    assertThat(applied).extracting(Sandbox.Applied::file).containsAll(files);
    // the folder's own Namespace, applied as written (labels included), holds every sample job
    Sandbox.Applied namespace = applied.stream().filter(a -> a.kind().equals("Namespace")).findFirst().orElseThrow();
    assertThat(namespace.file()).isEqualTo("00-namespace.yaml");
    assertThat(namespace.name()).isEqualTo(Sandbox.SAMPLES_NAMESPACE);
    assertThat(sandbox.client().namespaces().withName(Sandbox.SAMPLES_NAMESPACE).get().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/part-of", "konnect-replay-operator-samples");
    List<String> jobs = applied.stream().filter(a -> a.kind().equals("AuditLogReplayJob"))
        .map(a -> a.namespace() + "/" + a.name()).toList();
    assertThat(jobs).containsExactlyInAnyOrderElementsOf(SAMPLE_JOBS);
    for (String file : files) {
      assertThat(applied).as(file).anyMatch(a -> a.file().equals(file));
      applied.stream().filter(a -> a.file().equals(file) && a.kind().equals("AuditLogReplayJob")).forEach(a ->
          assertThat(result.jobs()).as(file + ": " + a.name())
              .anySatisfy(o -> {
                assertThat(o.job().key()).isEqualTo(a.namespace() + "/" + a.name());
                assertThat(o.job().phase()).isEqualTo(Phase.Completed);
              }));
    }
    // the bundled files are the repository's, byte for byte
    for (String file : files) {
      try (var in = SandboxTest.class.getClassLoader().getResourceAsStream("samples/" + file)) {
        assertThat(in).as(file + " bundled").isNotNull();
        assertThat(in.readAllBytes()).as(file).isEqualTo(Files.readAllBytes(folder.resolve(file)));
      }
    }
  }

  @Test
  @Order(4)
  void kubectlGetListsTheJobsWithThePrinterColumns() throws Exception {
    String out = kubectl("get", "alrj", "-A");
    assertThat(out.lines().findFirst().orElse("")).containsSubsequence("NAMESPACE", "NAME", "REGION", "PORTAL",
        "START", "END", "PHASE", "AGE");
    for (String job : SAMPLE_JOBS) {
      String name = job.substring(job.indexOf('/') + 1);
      assertThat(out.lines().filter(l -> l.startsWith("samples ") && l.contains(" " + name + " ")))
          .as(name).singleElement().asString().contains("Completed");
    }
  }

  @Test
  @Order(5)
  void kubectlGetListsThePoliciesWithTheirColumns() throws Exception {
    String out = kubectl("get", "alrp", "-A");
    assertThat(out.lines().findFirst().orElse("")).containsSubsequence("NAMESPACE", "NAME", "REGION", "PORTAL",
        "WEBHOOK", "LAST HEALTHY", "OPEN GAP", "AGE");
    for (String policy : List.of("heal-au-org", "heal-eu-portal-9b2f6c1e", "heal-us-portal-3e551b39",
        "org-us-gap-healing")) {
      assertThat(out.lines().filter(l -> l.startsWith("samples ") && l.contains(" " + policy + " "))).as(policy)
          .singleElement();
    }
  }

  @Test
  @Order(5)
  void kubectlGetYamlShowsTheStatus() throws Exception {
    String out = kubectl("get", "alrj", "portal-eu-second", "-n", "samples", "-o", "yaml");
    assertThat(out).contains("kind: AuditLogReplayJob", "name: portal-eu-second", "phase: Completed",
        "target: eu/portal/9b2f6c1e-4d7a-4c3b-8e5f-0a1b2c3d4e5f");
    assertThat(kubectl("get", "alrj", "-n", "samples", "-o", "yaml")).contains("name: org-au-last-day");
  }

  @Test
  @Order(6)
  void kubectlApplyOfANewJobGetsItReconciledToCompleted() throws Exception {
    Path file = lookbackJob("my-replay", "us", "1h");
    assertThat(kubectl("apply", "-f", file.toString())).contains("auditlogreplayjob.konnectreplay.io/my-replay created");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      AuditLogReplayJob job = sandbox.client().resources(AuditLogReplayJob.class).inNamespace(Sandbox.USER_NAMESPACE)
          .withName("my-replay").get();
      return job != null && job.getStatus() != null && job.getStatus().getPhase() == Phase.Completed;
    });
    assertThat(kubectl("get", "alrj")).contains("my-replay", "Completed");
    assertThat(kubectl("apply", "-f", file.toString())).contains("my-replay unchanged");
  }

  @Test
  @Order(7)
  void kubectlDescribeShowsTheTransitionsAndWaitSeesComplete() throws Exception {
    String describe = kubectl("describe", "alrj", "my-replay");
    assertThat(describe).doesNotContain("Events:        <none>")
        .contains("Normal", "Submitted", "Completed");
    assertThat(kubectl("wait", "--for=condition=Complete", "alrj/my-replay", "--timeout=20s"))
        .contains("condition met");
    assertThat(kubectl("get", "alrj", "portal-eu-first", "-n", "samples", "-o",
        "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("True");
  }

  @Test
  @Order(8)
  void kubectlExplainShowsTheFieldDocs() throws Exception {
    assertThat(kubectl("explain", "alrj")).contains("KIND:       AuditLogReplayJob", "replay (re-send) the audit logs",
        "spec\t<Object>");
    assertThat(kubectl("explain", "alrj.spec.window")).contains("lookback\t<string>", "Go duration",
        "startAt\t<string>");
    assertThat(kubectl("explain", "alrj.status.conditions.reason")).contains("CamelCase code");
  }

  @Test
  @Order(9)
  void kubectlWatchesStreamTheChangesOfANewJob() throws Exception {
    String kubectl = KubectlFidelityTest.kubectlPath();
    Path watchOut = dir.resolve("watch.txt");
    Process watch = new ProcessBuilder(kubectl, "--kubeconfig", sandbox.kubeconfig().toString(), "get", "alrj", "-w")
        .redirectErrorStream(true).redirectOutput(watchOut.toFile()).start();
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(watchOut).contains("my-replay"));
      kubectl("apply", "-f", lookbackJob("watched", "eu", "30m").toString());
      String waited = kubectl("wait", "--for=condition=Complete", "alrj/watched", "--timeout=30s");
      assertThat(waited).contains("condition met").doesNotContain("Error", "rror");
      // every phase the job went through reached the watcher, as table rows
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readString(watchOut).lines()
          .filter(l -> l.startsWith("watched ")).toList())
          .anyMatch(l -> l.contains("Accepted") || l.contains("Running"))
          .anyMatch(l -> l.contains("Completed")));
      assertThat(Files.readString(watchOut)).doesNotContain("rror");
    } finally {
      watch.destroy();
    }
  }

  @Test
  @Order(10)
  void theCommandPrintsTheProgressAndASummaryAndExitsZero() {
    assertThat(result.exitCode()).as(output).isZero();
    assertThat(output).contains("kubectl --kubeconfig " + dir.resolve("kubeconfig").toAbsolutePath()
        + " get alrj -A", "PASS: every sample job completed, every delivered event verified, and lost: 0 for every target.", "0 rejected");
    for (String job : SAMPLE_JOBS) {
      assertThat(output.lines().filter(l -> l.startsWith("  " + job + " "))).as(job).singleElement().asString()
          .contains("Completed");
    }
    // not a terminal: one line per change, no ANSI escapes
    assertThat(output).doesNotContain("\033[");
    assertThat(output.lines().filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d samples/portal-eu-second .*Queued.*")))
        .isNotEmpty();
  }

  @Test
  @Order(11)
  void kubectlApplyOfTheSamplesFolderIsCleanAndChangesNothing() throws Exception {
    Path folder = Path.of(System.getProperty("project.basedir", ".")).resolve("deploy/samples");
    String first = kubectl("apply", "-f", folder.toString());
    assertThat(first).contains("namespace/samples configured",
        "auditlogreplayjob.konnectreplay.io/portal-us-last-4h configured");
    // applied again, as a user re-running the README's command: every object unchanged, every job still Completed
    String again = kubectl("apply", "-f", folder.toString());
    // the namespace, the jobs and the gap-healing policy
    assertThat(again.lines().filter(l -> !l.isBlank()).toList()).hasSize(SAMPLE_JOBS.size() + 2)
        .allMatch(l -> l.endsWith(" unchanged"), "every line says unchanged");
    assertThat(sandbox.jobs()).filteredOn(j -> SAMPLE_JOBS.contains(j.key()))
        .extracting(Sandbox.JobView::phase).hasSize(SAMPLE_JOBS.size()).containsOnly(Phase.Completed);
  }

  @Test
  @Order(12)
  void eventsRefusedByAReceiverAndNotYetReplayedFailTheRun() {
    WebhookReceiver au = sandbox.receiver("au");
    au.down();
    try {
      // the emulator's live deliveries keep coming every 500 ms; the policy has not healed this one yet
      await().atMost(Duration.ofSeconds(10)).until(() -> au.lost() > 0);
      SandboxResult now = sandbox.result(sandbox.jobs(), false, Duration.ofSeconds(1));
      assertThat(now.ok()).isFalse();
      assertThat(now.exitCode()).isEqualTo(1);
      assertThat(now.lost()).isPositive();
      assertThat(now.targets()).filteredOn(t -> t.target().equals("au/org")).singleElement()
          .satisfies(t -> assertThat(t.lost()).isPositive());
      assertThat(now.problems()).anyMatch(p -> p.matches("\\d+ of the \\d+ events sent to au/org while receiver au"
          + " was down never arrived"));
    } finally {
      au.up();
    }
  }

  /** A manifest, as a user would write it, for a job in the kubeconfig's namespace with a lookback window. */
  private static Path lookbackJob(String name, String region, String lookback) throws IOException {
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, """
        apiVersion: konnectreplay.io/v1alpha1
        kind: AuditLogReplayJob
        metadata:
          name: %s
        spec:
          region: %s
          window:
            lookback: %s
          konnect:
            authRef:
              name: konnect-token
        """.formatted(name, region, lookback));
    return file;
  }

  private static String kubectl(String... args) throws IOException, InterruptedException {
    String kubectl = KubectlFidelityTest.kubectlPath();
    List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", sandbox.kubeconfig().toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(String.join(" ", args) + ":\n" + out).isZero();
    return out;
  }
}
