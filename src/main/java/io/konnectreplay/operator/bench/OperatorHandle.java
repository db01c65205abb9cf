package io.konnectreplay.operator.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The operator or the baseline under measurement, in a child JVM or in this one. */
interface OperatorHandle extends AutoCloseable {

  /** Start-up: from launch (process start for a child) until started with synced caches, and inside the JVM. */
  record Startup(long launchToReadyNanos, long startToReadyNanos) {}

  /** Heap in use after GC, resident set, max heap; all bytes. */
  record Memory(long heapAfterGc, long rss, long maxHeap) {}

  Startup startup();

  long statusWrites();

  Memory memory();

  /** Whether heap and RSS are the operator's alone (child JVM) or the whole benchmark process. */
  boolean separateProcess();

  @Override
  void close();

  static OperatorHandle inProcess(BenchOperator.Mode mode, String kubernetesUrl, Map<String, String> settings) {
    long t0 = System.nanoTime();
    BenchOperator operator = BenchOperator.start(mode, kubernetesUrl, settings);
    Startup startup = new Startup(System.nanoTime() - t0, operator.startToReadyNanos());
    return new OperatorHandle() {
      @Override public Startup startup() { return startup; }
      @Override public long statusWrites() { return operator.statusWrites(); }
      @Override public Memory memory() {
        return new Memory(BenchOperator.heapAfterGc(), BenchOperator.residentSetBytes(),
            Runtime.getRuntime().maxMemory());
      }
      @Override public boolean separateProcess() { return false; }
      @Override public void close() {
        try {
          operator.close();
        } catch (Exception e) {
          throw new IllegalStateException("could not stop the operator", e);
        }
      }
    };
  }

  static OperatorHandle child(BenchOperator.Mode mode, String kubernetesUrl, Map<String, String> settings,
      List<String> jvmOptions, Path logFile) {
    return new Child(mode, kubernetesUrl, settings, jvmOptions, logFile);
  }

  /** A JVM started from the same classpath; talks over stdin/stdout (see {@link BenchOperatorMain}). */
  final class Child implements OperatorHandle {
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final Startup startup;

    Child(BenchOperator.Mode mode, String kubernetesUrl, Map<String, String> settings, List<String> jvmOptions,
        Path logFile) {
      List<String> command = new ArrayList<>();
      command.add(ProcessHandle.current().info().command().orElse("java"));
      command.addAll(jvmOptions);
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(BenchOperatorMain.class.getName());
      command.add(mode.name().toLowerCase(java.util.Locale.ROOT));
      command.add(kubernetesUrl);
      settings.forEach((k, v) -> command.add(k + "=" + v));
      try {
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> pump(log), "bench-child-output");
        reader.setDaemon(true);
        reader.start();
        String[] ready = await("READY", 180).split(" ");
        startup = new Startup(System.nanoTime() - t0, Long.parseLong(ready[1]));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("could not start the operator JVM", e);
      }
    }

    private void pump(Writer log) {
      try (log; BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith(BenchOperatorMain.PREFIX)) {
            answers.add(line.substring(BenchOperatorMain.PREFIX.length()));
          } else {
            log.write(line);
            log.write('\n');
          }
        }
      } catch (IOException e) {
        // the child is gone; await() reports it
      }
    }

    private String await(String kind, int seconds) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      try {
        while (System.nanoTime() < deadline) {
          String answer = answers.poll(200, TimeUnit.MILLISECONDS);
          if (answer != null && answer.startsWith(kind)) return answer;
          if (answer == null && !process.isAlive()) {
            throw new IllegalStateException("the operator JVM exited with " + process.exitValue()
                + " before answering " + kind + " (see its log)");
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("the operator JVM did not answer " + kind + " within " + seconds + " s");
    }

    private String ask(String command, String kind, int seconds) {
      commands.println(command);
      return await(kind, seconds);
    }

    @Override public Startup startup() { return startup; }

    @Override public long statusWrites() { return Long.parseLong(ask("STATS", "STATS", 30).split(" ")[1]); }

    @Override public Memory memory() {
      String[] m = ask("MEMORY", "MEMORY", 60).split(" ");
      return new Memory(Long.parseLong(m[1]), Long.parseLong(m[2]), Long.parseLong(m[3]));
    }

    @Override public boolean separateProcess() { return true; }

    @Override public void close() {
      if (!process.isAlive()) return;
      try {
        ask("STOP", "STOPPED", 30);
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (RuntimeException | InterruptedException e) {
        // fall through to the kill below
      }
      if (process.isAlive()) process.destroyForcibly();
    }
  }
}
