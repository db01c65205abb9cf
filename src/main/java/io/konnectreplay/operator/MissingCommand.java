package io.konnectreplay.operator;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Stands in for a tooling command that this jar (the image's) does not hold: one line, exit 1. */
final class MissingCommand implements Callable<Integer> {
  private final String name;
  private CommandSpec spec;

  private MissingCommand(String name) {
    this.name = name;
  }

  static CommandSpec spec(String name) {
    MissingCommand command = new MissingCommand(name);
    command.spec = CommandSpec.wrapWithoutInspection(command);
    command.spec.name(name).usageMessage().description("(not in this jar: use " + Main.JAR + " from a source build)");
    // whatever follows (--help, options of the real command) gets the same answer
    command.spec.addPositional(PositionalParamSpec.builder().arity("0..*").type(String[].class).hidden(true).build());
    command.spec.parser().unmatchedOptionsArePositionalParams(true);
    return command.spec;
  }

  @Override
  public Integer call() {
    spec.commandLine().getErr().println(name + " is not in this jar; use " + Main.JAR + " from a source build");
    return 1;
  }
}
