# Runtime image for the operator. Build the jars first (mvn -B package), then:
#   docker build -t konnect-replay-operator:0.1.0 .
# Single stage on purpose: the jar is built outside Docker. The image takes the image jar: the operator and its
# runtime dependencies only (no sandbox, emulator, benchmark, mock API server, vert.x, netty or BouncyCastle);
# target/konnect-replay-operator-image.bom.json is its CycloneDX SBOM.
# Pinned by digest: the multi-arch index of eclipse-temurin:17-jre (17.0.20+8) as published on Docker Hub, so a
# rebuild takes the same bytes. The digest is not checked from this project's build machine (it has no registry);
# to move to a newer JRE, run `docker buildx imagetools inspect eclipse-temurin:17-jre`, put the "Digest:" line
# here, and rebuild. Pass --build-arg BASE_IMAGE=... to use a mirror of the same digest.
ARG BASE_IMAGE=eclipse-temurin:17-jre@sha256:13cc28a6cc72a38ce1f00c906be3580c1a3e604b8984d694f369a96742abc93b
FROM ${BASE_IMAGE}

LABEL org.opencontainers.image.title="konnect-replay-operator" \
      org.opencontainers.image.description="Kubernetes operator for Kong Konnect audit-log replay jobs"

WORKDIR /app
# Owned by root and not writable by the runtime user; the root filesystem can be mounted read-only
# (the JVM writes only to /tmp, an emptyDir in the chart).
COPY target/konnect-replay-operator-image.jar /app/konnect-replay-operator.jar

# Size the heap from the container's memory limit and exit (so Kubernetes restarts the pod) on OOM.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"

# /healthz, /readyz and /metrics
EXPOSE 8080

# Numeric, so that Kubernetes can verify runAsNonRoot without reading /etc/passwd.
USER 10001:10001

ENTRYPOINT ["java", "-jar", "/app/konnect-replay-operator.jar"]
