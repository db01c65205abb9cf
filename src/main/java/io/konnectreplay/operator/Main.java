package io.konnectreplay.operator;

/** Entry point: runs the operator, or one of the sub-commands (sandbox, emulator, bench). */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.err.println("konnect-replay-operator: not wired yet");
  }
}
