package io.konnectreplay.operator;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When this process last renewed its leader-election Lease, as seen by its own Kubernetes client: the send time of
 * the last Lease write the API accepted. fabric8's elector notices a failed renewal only once the attempt returns,
 * and the client's own retries (of 429/5xx/IO errors) can hold an attempt past the renew deadline and even past the
 * Lease duration, after which a standby may lead. The fence does not wait: the operator stops acting as soon as its
 * last accepted renewal is older than the renew deadline, which the standby cannot beat (it waits the whole Lease
 * duration from when it saw that renewal, which was sent later than the fence's time).
 */
public final class LeaseFence implements Interceptor {
  /** By HTTP client: a client's adapted views ({@code adapt(...)}) share it. */
  private static final Map<Object, LeaseFence> FENCES = Collections.synchronizedMap(new WeakHashMap<>());

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong renewed = new AtomicLong();
  private volatile boolean any;

  private LeaseFence() {}

  /** The operator's Kubernetes client: {@link OperatorRuntime#apiClientConfig} over {@code base}, with a fence. */
  public static KubernetesClient client(Config base) {
    LeaseFence fence = new LeaseFence();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(OperatorRuntime.apiClientConfig(base))
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("lease-fence", fence)).build();
    FENCES.put(client.getHttpClient(), fence);
    return client;
  }

  /** The fence of a client made by {@link #client}, or null. */
  static LeaseFence of(KubernetesClient client) { return FENCES.get(client.getHttpClient()); }

  /** Whether the last accepted Lease write was sent less than {@code deadline} ago. */
  boolean renewedWithin(Duration deadline) {
    return any && System.nanoTime() - renewed.get() < deadline.toNanos();
  }

  private static boolean leaseWrite(HttpRequest request) {
    return !"GET".equals(request.method()) && request.uri().getPath().contains("/leases");
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (leaseWrite(request)) sent.set(System.nanoTime());
  }

  @Override
  public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (leaseWrite(request) && response.isSuccessful()) {
      renewed.set(sent.get());
      any = true;
    }
  }
}
