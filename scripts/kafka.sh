#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) for riskgate's Kafka tests and local runs.
#
#   scripts/kafka.sh up        fetch jars (cached), format storage once, start, wait until ready
#   scripts/kafka.sh down      SIGTERM, wait for a clean shutdown (SIGKILL only after a timeout)
#   scripts/kafka.sh status    exit 0 and say "up" if the broker answers, else exit 1
#   scripts/kafka.sh restart [--kill]   stop (cleanly, or SIGKILL with --kill) and start again, keeping data
#   scripts/kafka.sh reset     down, then delete the data directory (next `up` formats a new cluster)
#   scripts/kafka.sh fetch     only download the jars
#   scripts/kafka.sh log       print the path of the broker log
#
# Jars come from Maven Central through mvn (org.apache.kafka:kafka_2.13 and its runtime
# dependencies plus an slf4j/reload4j binding), cached under .cache/kafka/<version>/libs.
# Environment overrides: KAFKA_VERSION (3.9.1), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
# KAFKA_HOST (127.0.0.1), KAFKA_HEAP (-Xmx512m -Xms256m), KAFKA_READY_TIMEOUT (90 s),
# KAFKA_CACHE (<repo>/.cache/kafka), KAFKA_DATA (<cache>/data-<port>).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
SCALA_VERSION="2.13"
HOST="${KAFKA_HOST:-127.0.0.1}"
PORT="${KAFKA_PORT:-9092}"
CPORT="${KAFKA_CONTROLLER_PORT:-9093}"
HEAP="${KAFKA_HEAP:--Xmx512m -Xms256m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
CACHE="${KAFKA_CACHE:-$ROOT/.cache/kafka}"
LIBS="$CACHE/$KAFKA_VERSION/libs"
DATA="${KAFKA_DATA:-$CACHE/data-$PORT}"
RUN="$CACHE/run-$PORT"
PIDFILE="$RUN/kafka.pid"
LOGFILE="$RUN/server.log"
PROPS="$RUN/server.properties"
LOG4J="$RUN/log4j.properties"

say() { echo "kafka.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

fetch() {
  if [[ -f "$LIBS/.complete" ]]; then return 0; fi
  command -v mvn >/dev/null || die "mvn not found (install Maven: apt-get install -y maven)"
  command -v java >/dev/null || die "java not found (install a JDK 17: apt-get install -y openjdk-17-jre-headless)"
  say "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  local work="$CACHE/$KAFKA_VERSION/fetch"
  rm -rf "$work" "$LIBS"
  mkdir -p "$work" "$LIBS"
  cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>riskgate</groupId>
  <artifactId>kafka-broker-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_${SCALA_VERSION}</artifactId>
      <version>${KAFKA_VERSION}</version>
      <exclusions>
        <exclusion><groupId>ch.qos.logback</groupId><artifactId>*</artifactId></exclusion>
      </exclusions>
    </dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
</project>
EOF
  if ! (cd "$work" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime \
        -DoutputDirectory="$LIBS" >"$work/mvn.log" 2>&1); then
    tail -n 30 "$work/mvn.log" >&2
    die "mvn could not fetch kafka_${SCALA_VERSION}:${KAFKA_VERSION} (full log: $work/mvn.log)"
  fi
  [[ -f "$LIBS/kafka_${SCALA_VERSION}-${KAFKA_VERSION}.jar" ]] || die "kafka jar missing after fetch"
  touch "$LIBS/.complete"
  say "fetched $(ls "$LIBS" | grep -c '\.jar$') jars"
}

pid_alive() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid; pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

# The broker is "ready" when a Kafka client gets metadata listing this broker.
broker_answers() {
  if command -v kcat >/dev/null; then
    timeout 10 kcat -L -b "$HOST:$PORT" -m 5 2>/dev/null | grep -q "broker 1 at"
  else
    (cd "$ROOT" && timeout 20 node scripts/kafka-ready.mjs "$HOST:$PORT" >/dev/null 2>&1)
  fi
}

write_config() {
  mkdir -p "$RUN" "$DATA"
  cat >"$PROPS" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CPORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CPORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=12
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=12
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
delete.topic.enable=true
num.network.threads=2
num.io.threads=4
log.retention.hours=168
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=16777216
transaction.abort.timed.out.transaction.cleanup.interval.ms=5000
transaction.remove.expired.transaction.cleanup.interval.ms=60000
EOF
  cat >"$LOG4J" <<EOF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.storage.internals.log=WARN
log4j.logger.kafka.log=WARN
EOF
}

classpath() { echo "$LIBS/*"; }

format_storage() {
  if [[ -f "$DATA/meta.properties" ]]; then return 0; fi
  local cid
  cid="$(java -Xmx256m -cp "$(classpath)" -Dlog4j.configuration="file:$LOG4J" kafka.tools.StorageTool random-uuid | tail -n 1)"
  [[ -n "$cid" ]] || die "StorageTool random-uuid printed nothing"
  say "formatting $DATA (cluster id $cid)"
  java -Xmx256m -cp "$(classpath)" -Dlog4j.configuration="file:$LOG4J" kafka.tools.StorageTool format \
    -t "$cid" -c "$PROPS" >"$RUN/format.log" 2>&1 || { cat "$RUN/format.log" >&2; die "storage format failed"; }
}

up() {
  if pid_alive; then
    if broker_answers; then say "already up (pid $(cat "$PIDFILE")) on $HOST:$PORT"; return 0; fi
    say "process $(cat "$PIDFILE") is running; waiting for it to answer"
  else
    rm -f "$PIDFILE"
    if port_open; then
      die "$HOST:$PORT is already in use by a process this script did not start (no live pid in $PIDFILE)"
    fi
    fetch
    write_config
    format_storage
    : >>"$LOGFILE"
    echo "===== start $(date -Is) =====" >>"$LOGFILE"
    # setsid: the broker gets its own session and outlives the shell (and test runner) that started it.
    # shellcheck disable=SC2086
    setsid nohup java $HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
      -cp "$(classpath)" -Dlog4j.configuration="file:$LOG4J" -Dkafka.logs.dir="$RUN" \
      kafka.Kafka "$PROPS" >>"$LOGFILE" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    say "started pid $(cat "$PIDFILE"), log $LOGFILE"
  fi
  local t0=$SECONDS
  until broker_answers; do
    if ! pid_alive; then
      tail -n 40 "$LOGFILE" >&2
      die "the broker process exited during startup; see $LOGFILE"
    fi
    if (( SECONDS - t0 >= READY_TIMEOUT )); then
      tail -n 40 "$LOGFILE" >&2
      die "broker did not accept requests on $HOST:$PORT within ${READY_TIMEOUT}s; see $LOGFILE"
    fi
    sleep 0.5
  done
  say "up on $HOST:$PORT (pid $(cat "$PIDFILE")) after $((SECONDS - t0))s"
}

down() {
  local mode="${1:-term}"
  if ! pid_alive; then rm -f "$PIDFILE"; say "not running"; return 0; fi
  local pid; pid="$(cat "$PIDFILE")"
  if [[ "$mode" == kill ]]; then
    say "SIGKILL $pid"
    kill -KILL "$pid" 2>/dev/null || true
  else
    say "stopping $pid (SIGTERM)"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  local t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS - t0 >= 60 )); then say "still running after 60s, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.2
  done
  rm -f "$PIDFILE"
  say "stopped after $((SECONDS - t0))s"
}

status() {
  if pid_alive && broker_answers; then echo "up $HOST:$PORT pid $(cat "$PIDFILE")"; return 0; fi
  if pid_alive; then echo "starting or unresponsive: pid $(cat "$PIDFILE"), log $LOGFILE"; return 1; fi
  if port_open; then echo "down (but $HOST:$PORT is open: a broker this script did not start?)"; return 1; fi
  echo "down"; return 1
}

cmd="${1:-}"; shift || true
case "$cmd" in
  up) up ;;
  down) down term ;;
  status) status ;;
  restart)
    if [[ "${1:-}" == "--kill" ]]; then down kill; else down term; fi
    up ;;
  reset) down term; rm -rf "$DATA" "$RUN"; say "data removed" ;;
  fetch) fetch ;;
  log) echo "$LOGFILE" ;;
  *) echo "usage: $0 up|down|status|restart [--kill]|reset|fetch|log" >&2; exit 2 ;;
esac
