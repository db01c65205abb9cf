package io.konnectreplay.operator.sandbox;

import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs while they run. On a terminal: one table redrawn in place (ANSI cursor movement). Otherwise: one plain line
 * per job whenever its phase, reason or attempts change, so a log or a pipe reads as a history.
 */
final class ProgressTable {
  private static final String HEADER = "%-34s %-22s %-10s %-18s %s";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  private final PrintStream out;
  private final boolean ansi;
  private final Clock clock;
  private final Map<String, String> lastState = new HashMap<>();
  private int linesOnScreen;
  private String lastFooter = "";
  private final List<String> notes = new ArrayList<>();
  private static final int NOTES_SHOWN = 4;

  ProgressTable(PrintStream out, boolean ansi, Clock clock) {
    this.out = out;
    this.ansi = ansi;
    this.clock = clock;
  }

  /** Shows the jobs now; {@code footer} is a status line (ANSI only). */
  synchronized void show(List<Sandbox.JobView> jobs, String footer) {
    if (ansi) redraw(jobs, footer);
    else printChanges(jobs);
  }

  /**
   * Something that happened besides the jobs (the receiver outage): a line of its own with the time. On a terminal
   * the last {@value #NOTES_SHOWN} stay under the table.
   */
  synchronized void note(String text) {
    String line = LocalTime.now(clock.withZone(ZoneOffset.UTC)).format(TIME) + " -- " + text;
    if (ansi) {
      notes.add(line);
      if (notes.size() > NOTES_SHOWN) notes.remove(0);
      lastFooter = "\0"; // redraw at the next show
    } else {
      out.println(line);
      out.flush();
    }
  }

  /** Forgets the screen position: what comes next is printed below the table. */
  synchronized void release() {
    linesOnScreen = 0;
  }

  private void redraw(List<Sandbox.JobView> jobs, String footer) {
    List<String> lines = new ArrayList<>();
    lines.add(String.format(HEADER, "JOB", "TARGET", "PHASE", "REASON", "ATTEMPTS"));
    for (Sandbox.JobView job : jobs) lines.add(row(job));
    lines.addAll(notes);
    lines.add(footer);
    boolean changed = false;
    for (Sandbox.JobView job : jobs) changed |= !state(job).equals(lastState.put(job.key(), state(job)));
    if (!changed && footer.equals(lastFooter) && linesOnScreen == lines.size()) return;
    lastFooter = footer;
    StringBuilder screen = new StringBuilder();
    if (linesOnScreen > 0) screen.append("\033[").append(linesOnScreen).append('F');
    for (String line : lines) screen.append("\033[2K").append(line).append('\n');
    out.print(screen);
    out.flush();
    linesOnScreen = lines.size();
  }

  private void printChanges(List<Sandbox.JobView> jobs) {
    if (lastState.isEmpty() && !jobs.isEmpty()) {
      out.println(String.format("%-8s " + HEADER, "TIME", "JOB", "TARGET", "PHASE", "REASON", "ATTEMPTS"));
    }
    for (Sandbox.JobView job : jobs) {
      String state = state(job);
      if (!state.equals(lastState.put(job.key(), state))) {
        out.println(LocalTime.now(clock.withZone(ZoneOffset.UTC)).format(TIME) + " " + row(job));
      }
    }
    out.flush();
  }

  private static String state(Sandbox.JobView job) {
    return job.phase() + "|" + job.reason() + "|" + job.attempts() + "|" + job.target();
  }

  static String row(Sandbox.JobView job) {
    return String.format(HEADER, job.key(), shortTarget(job.targetOrSpec()),
        job.phase() == null ? "-" : job.phase(), job.reason() == null ? "-" : job.reason(), job.attempts());
  }

  /** {@code us/portal/3e551b39-0f5e-...} → {@code us/portal/3e551b39...}: a table row fits in 100 columns. */
  static String shortTarget(String target) {
    int portal = target.indexOf("/portal/");
    if (portal < 0) return target;
    String id = target.substring(portal + "/portal/".length());
    return id.length() > 8 ? target.substring(0, portal) + "/portal/" + id.substring(0, 8) + "..." : target;
  }
}
