# Switchboard container image.
#   docker build -t switchboard:local .
#   docker run --rm -p 4000:4000 --env-file .env switchboard:local
# (or docker compose up -d, see docker-compose.yml)

# ---- Stage 1: build the fat jar --------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src

# Dependencies first, in their own layer: rebuilt only when pom.xml changes. go-offline cannot
# always resolve every plugin's own dependencies; whatever it misses is fetched by the package
# step below, so a failure here must not stop the build.
COPY pom.xml .
RUN mvn -B -q dependency:go-offline || echo "dependency:go-offline incomplete; package will fetch the rest"

COPY src ./src
RUN mvn -B -q package -DskipTests

# ---- Stage 2: runtime (JRE only) -------------------------------------------------------------
FROM eclipse-temurin:17-jre

# curl for the HEALTHCHECK (the Ubuntu-based JRE image has none); lists removed to stay small.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 switchboard \
 && useradd --system --uid 10001 --gid switchboard --no-create-home \
      --home-dir /app --shell /usr/sbin/nologin switchboard

WORKDIR /app
COPY --from=build /src/target/switchboard.jar /app/switchboard.jar
# The config is read as /app/config.yaml, a link into /app/config/ so that a *directory* can be mounted
# there (docker-compose.yml does): editors save by renaming a new file over the old one, and a
# single-file bind mount never shows the container that new file, so hot reload would not see the edit.
# Mounting one file on /app/config.yaml still works (Docker follows the link), without that benefit.
COPY config.yaml /app/config/config.yaml
RUN ln -s config/config.yaml /app/config.yaml
# The jar carries the same logback.xml. To use an edited copy, mount it here and add
# -Dlogback.configurationFile=/app/conf/logback.xml to JAVA_OPTS.
COPY conf/logback.xml /app/conf/logback.xml

EXPOSE 4000
# Clustered (--cluster, docs/cluster.md): Hazelcast listens on 5701 (up to 5710) and the event bus on
# switchboard_settings.cluster.event_bus_port; publish them only towards the other nodes.

# Heap up to 75% of the container's memory limit (set one: see docker-compose.yml); on an
# OutOfMemoryError exit, so that the restart policy brings up a clean process. The serial collector
# and a 32 MB young generation keep the resident size near the live data (docs/benchmarks.md:
# 218 MB with 1000 streams held, against 293 MB with the defaults), as scripts/run.sh does; the C
# library's free memory goes back to the system every 5 s (~20 MB less with 1000 streams held).
ENV JAVA_OPTS="-XX:+UseSerialGC -XX:MaxRAMPercentage=75 -Xmn32m -XX:+ExitOnOutOfMemoryError -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000"

# Liveness only (not the backends): a down model must not get the router restarted.
# Assumes the default port 4000; change it here too if you change --port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:4000/health/liveliness || exit 1

USER switchboard

# sh -c so that $JAVA_OPTS is expanded; exec so that java is PID 1 and gets SIGTERM directly.
# The CMD below (or the arguments of `docker run IMAGE ...`) become Switchboard's arguments.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/switchboard.jar \"$@\"", "--"]
CMD ["--config", "/app/config.yaml", "--host", "0.0.0.0", "--port", "4000"]
