package io.konnectreplay.operator;

import io.fabric8.kubernetes.client.Config;
import io.konnectreplay.operator.config.OperatorSettings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code run}: one flag per setting, built from {@link OperatorSettings#SETTINGS} so that the flags, the environment
 * variables and the help never disagree. Flags win over the environment; every value, from either, is checked before
 * anything starts.
 */
final class RunCommand implements Callable<Integer> {

  /** What {@code run} reads besides its flags: environment variables, the home folder, the cluster's config. */
  record Environment(Function<String, String> variables, Path home, Supplier<Config> kubeConfig) {
    Environment(Function<String, String> variables, Path home) {
      this(variables, home, () -> Config.autoConfigure(null));
    }
  }

  /** Runs the operator with checked settings; returns the exit code. */
  @FunctionalInterface
  interface Operator {
    int run(OperatorSettings settings, Environment environment, PrintWriter err) throws Exception;
  }

  private final CommandSpec spec;
  private final Environment environment;
  private final Operator operator;

  private RunCommand(Environment environment, Operator operator) {
    this.environment = environment;
    this.operator = operator;
    this.spec = CommandSpec.wrapWithoutInspection(this);
    spec.name("run").addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
        .description("Show this help message and exit.").build());
    spec.usageMessage()
        .description("Run the operator against the cluster in KUBECONFIG (else ~/.kube/config) or in-cluster config.",
            "Each setting is an environment variable or the flag of the same name; flags win.")
        .sortOptions(false).width(120);
    for (OperatorSettings.Setting s : OperatorSettings.SETTINGS) {
      boolean bool = s.label().equals("true|false");
      OptionSpec.Builder option = OptionSpec.builder(s.flag()).paramLabel(s.label()).type(String.class)
          .description(s.description() + " (env " + s.env() + "; default: " + s.defaultText() + ")");
      // a bare --leader-election means true; --leader-election=false and --leader-election false work too
      if (bool) option.arity("0..1").fallbackValue("true");
      spec.addOption(option.build());
    }
  }

  static CommandLine commandLine(Environment environment, Operator operator) {
    return new CommandLine(new RunCommand(environment, operator).spec);
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> flags = new LinkedHashMap<>();
    for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      OperatorSettings.SETTINGS.stream().filter(s -> s.flag().equals(option.longestName())).findFirst()
          .ifPresent(s -> flags.put(s.env(), option.getValue()));
    }
    OperatorSettings settings;
    try {
      settings = OperatorSettings.from(name -> flags.containsKey(name) ? flags.get(name)
          : environment.variables().apply(name));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    return operator.run(settings, environment, spec.commandLine().getErr());
  }
}
