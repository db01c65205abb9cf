package io.konnectreplay.operator.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.konnectreplay.operator.api.v1alpha1.CrdManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * A Kubernetes API on 127.0.0.1 for tests, the sandbox and the benchmark: fabric8's mock server in CRUD mode, with
 * the AuditLogReplayJob CRD installed (so the status subresource behaves as on a cluster).
 */
public final class EmbeddedKubernetes implements AutoCloseable {

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;
  /** kubectl's way in (see {@link #startForKubectl}); null otherwise. */
  private volatile KubectlProxy proxy;

  private EmbeddedKubernetes(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  /** Starts on the given port (0 = any free port) and installs the CRDs. */
  public static EmbeddedKubernetes start(int port) {
    return start(port, new OptimisticCrudDispatcher());
  }

  public static EmbeddedKubernetes start(int port, KubernetesCrudDispatcher dispatcher) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), port);
    EmbeddedKubernetes k8s = new EmbeddedKubernetes(server);
    for (CrdManifest.Kind kind : CrdManifest.KINDS) {
      CustomResourceDefinition crd = CrdManifest.load(kind);
      k8s.client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      if (dispatcher instanceof KubectlDispatcher kubectl) kubectl.announce(crd);
    }
    if (dispatcher instanceof KubectlDispatcher kubectl) kubectl.serverAddress("127.0.0.1:" + server.getPort());
    return k8s;
  }

  /**
   * Starts with a {@link KubectlDispatcher} on a free port, and a {@link KubectlProxy} in front of it on {@code port}
   * (0 = any free port) that also streams watches over HTTP, so that kubectl works against it (see
   * {@link #writeKubeconfig}, which points at the proxy).
   */
  public static EmbeddedKubernetes startForKubectl(int port) {
    KubectlDispatcher dispatcher = new KubectlDispatcher();
    EmbeddedKubernetes k8s = start(0, dispatcher);
    try {
      k8s.proxy = KubectlProxy.start(port, k8s.server.getPort(), dispatcher::tableOf);
    } catch (RuntimeException e) {
      k8s.close();
      throw e;
    }
    dispatcher.serverAddress("127.0.0.1:" + k8s.proxy.port());
    return k8s;
  }

  /**
   * Puts a front door with these faults in front of the API (see {@link ApiFaults}); clients from
   * {@link #newFaultyClient()} come through it, every other client goes to the API directly. Once per instance.
   */
  public synchronized ApiFaults faultLayer(ApiFaults faults) {
    if (faultProxy != null) throw new IllegalStateException("the fault layer is already in place");
    faultProxy = KubectlProxy.start(0, server.getPort(), (path, object) -> object, faults);
    this.faults = faults;
    return faults;
  }

  /** A new client that meets the fault layer's faults, configured as the operator configures its own. */
  public NamespacedKubernetesClient newFaultyClient() {
    if (faultProxy == null) throw new IllegalStateException("no fault layer: call faultLayer first");
    io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(
        client.getConfiguration()).withMasterUrl("http://127.0.0.1:" + faultProxy.port()).build();
    return io.konnectreplay.operator.LeaseFence.client(config).adapt(NamespacedKubernetesClient.class);
  }

  private volatile KubectlProxy faultProxy;
  private volatile ApiFaults faults;

  /**
   * Writes a kubeconfig for this server (context "sandbox", no credentials: the mock checks none) and returns its
   * path. Useful with {@link #startForKubectl}; plain {@link #start} does not answer kubectl's discovery.
   */
  public Path writeKubeconfig(Path file, String namespace) {
    String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: sandbox
          cluster:
            server: %s
        contexts:
        - name: sandbox
          context:
            cluster: sandbox
            namespace: %s
            user: sandbox
        current-context: sandbox
        users:
        - name: sandbox
          user: {}
        """.formatted(loopbackUrl(), namespace);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      Files.writeString(file, kubeconfig, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return file;
  }

  /**
   * {@code http://127.0.0.1:PORT}: where kubectl should go — the proxy when started for kubectl, else the server
   * itself (whose client URL says localhost).
   */
  public String loopbackUrl() { return "http://127.0.0.1:" + (proxy != null ? proxy.port() : server.getPort()); }

  public NamespacedKubernetesClient client() { return client; }

  /** A new client of its own (an operator under test closes clients it is given only when told to). */
  public NamespacedKubernetesClient newClient() { return server.createClient(); }

  public KubernetesMockServer server() { return server; }

  public String url() { return client.getMasterUrl().toString(); }

  public int port() { return server.getPort(); }

  public void createNamespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  @Override
  public void close() {
    if (proxy != null) proxy.close();
    if (faultProxy != null) faultProxy.close();
    client.close();
    server.destroy();
  }
}
