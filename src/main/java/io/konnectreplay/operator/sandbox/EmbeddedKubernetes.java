package io.konnectreplay.operator.sandbox;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.konnectreplay.operator.api.v1alpha1.CrdManifest;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * A Kubernetes API on 127.0.0.1 for tests, the sandbox and the benchmark: fabric8's mock server in CRUD mode, with
 * the AuditLogReplayJob CRD installed (so the status subresource behaves as on a cluster).
 */
public final class EmbeddedKubernetes implements AutoCloseable {

  private final KubernetesMockServer server;
  private final NamespacedKubernetesClient client;

  private EmbeddedKubernetes(KubernetesMockServer server) {
    this.server = server;
    this.client = server.createClient();
  }

  /** Starts on the given port (0 = any free port) and installs the CRD. */
  public static EmbeddedKubernetes start(int port) {
    return start(port, new OptimisticCrudDispatcher());
  }

  public static EmbeddedKubernetes start(int port, KubernetesCrudDispatcher dispatcher) {
    KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        dispatcher, false);
    server.init(InetAddress.getLoopbackAddress(), port);
    EmbeddedKubernetes k8s = new EmbeddedKubernetes(server);
    k8s.client.apiextensions().v1().customResourceDefinitions().resource(CrdManifest.load()).create();
    return k8s;
  }

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
    client.close();
    server.destroy();
  }
}
