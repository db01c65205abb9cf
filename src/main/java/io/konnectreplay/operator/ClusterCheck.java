package io.konnectreplay.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Before the operator starts: is a cluster configured, and does its API answer? Either failure is one line that says
 * what to set, instead of the stack traces of every informer that cannot start.
 */
final class ClusterCheck {
  static final String TRY_SANDBOX = "to try it without a cluster: java -jar " + Main.JAR + " sandbox (from a source"
      + " build)";
  private static final int PROBE_TIMEOUT_MILLIS = 5_000;

  private ClusterCheck() {}

  static Optional<String> problem(RunCommand.Environment environment) {
    if (!configured(environment)) {
      return Optional.of("no Kubernetes cluster configured: set KUBECONFIG (or write ~/.kube/config), or run in a pod"
          + " for in-cluster config; " + TRY_SANDBOX);
    }
    Config config = environment.kubeConfig().get();
    String where = config.getMasterUrl();
    Config probe = new ConfigBuilder(config).withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(PROBE_TIMEOUT_MILLIS).withRequestTimeout(PROBE_TIMEOUT_MILLIS).build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(probe).build()) {
      client.getKubernetesVersion();
      return Optional.empty();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401) {
        return Optional.of("the Kubernetes API at " + where + " refused the credentials (401): check the current"
            + " context of KUBECONFIG");
      }
      if (e.getCode() > 0) return Optional.empty(); // it answers; /version may be forbidden or absent
      return Optional.of("cannot reach the Kubernetes API at " + where + " (" + rootCause(e) + "): check KUBECONFIG"
          + " and its current context, or the pod's in-cluster config; " + TRY_SANDBOX);
    }
  }

  /** Where fabric8 looks: the kubeconfig system property or KUBECONFIG (a path list), ~/.kube/config, in-cluster. */
  static boolean configured(RunCommand.Environment environment) {
    String inCluster = environment.variables().apply("KUBERNETES_SERVICE_HOST");
    if (inCluster != null && !inCluster.isBlank()) return true;
    String paths = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    if (paths == null) paths = environment.variables().apply("KUBECONFIG");
    if (paths == null || paths.isBlank()) {
      return Files.isRegularFile(environment.home().resolve(".kube").resolve("config"));
    }
    return Arrays.stream(paths.split(File.pathSeparator)).filter(p -> !p.isBlank())
        .anyMatch(p -> Files.isRegularFile(Path.of(p)));
  }

  /** The most telling cause: a network one if the chain has it (the JDK client wraps them a few times). */
  private static String rootCause(Throwable e) {
    Throwable deepest = e;
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.UnknownHostException
          || c instanceof javax.net.ssl.SSLException || c instanceof java.net.http.HttpTimeoutException) {
        return describe(c);
      }
      deepest = c;
    }
    return describe(deepest);
  }

  private static String describe(Throwable t) {
    String message = t.getMessage();
    return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
