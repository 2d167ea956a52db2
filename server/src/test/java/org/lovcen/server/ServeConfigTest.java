package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.LovcenException;

class ServeConfigTest {
  @TempDir Path dir;

  private static ServeConfig parse(String yaml) {
    return ServeConfig.parse(yaml, "lovcen.yml", Map.of());
  }

  @Test
  void defaults_withoutFileOrEnvironment() {
    ServeConfig c = ServeConfig.defaults(Map.of());
    assertThat(c.listen()).isEqualTo(new ServeConfig.Listen("127.0.0.1", 8080, "", "", -1));
    assertThat(c.data()).isEqualTo("data");
    assertThat(c.database()).isEqualTo(new ServeConfig.Database("", 8));
    assertThat(c.databaseUrl()).isEqualTo(Path.of("data", "lovcen.db").toString());
    assertThat(c.rules()).isEqualTo(new ServeConfig.Rules(List.of(), "", List.of()));
    assertThat(c.intel().files()).isEmpty();
    assertThat(c.ingest()).isEqualTo(new ServeConfig.Ingest(64, 16, 200_000, 5000, 20, 30, 50));
    assertThat(c.syslog()).isEqualTo(new ServeConfig.Syslog("0.0.0.0", -1, -1, -1, "", "", 65536, 1000));
    assertThat(c.detection()).isEqualTo(new ServeConfig.Detection(60, 5));
    assertThat(c.incidents()).isEqualTo(new ServeConfig.Incidents(60, "low"));
    assertThat(c.retention()).isEqualTo(new ServeConfig.Retention(90, 60));
    assertThat(c.admin()).isEqualTo(new ServeConfig.Admin("admin", ""));
    assertThat(c.sessions().hours()).isEqualTo(12);
    assertThat(c.kafka()).isEqualTo(new ServeConfig.Kafka("", "lovcen.", 12, 3, List.of()));
    assertThat(c.kafka().enabled()).isFalse();
    assertThat(c.metrics()).isEqualTo(new ServeConfig.MetricsAccess(List.of("127.0.0.0/8", "::1")));
  }

  @Test
  void parse_emptyOrCommentOnly_isTheDefaults() {
    assertThat(parse("")).isEqualTo(ServeConfig.defaults(Map.of()));
    assertThat(parse("# nothing yet\n")).isEqualTo(ServeConfig.defaults(Map.of()));
  }

  @Test
  void load_fileOverridesSomeKeys_restKeepsDefaults() throws IOException {
    Path file = dir.resolve("lovcen.yml");
    Files.writeString(file, """
        listen:
          port: 9443
        database:
          url: postgresql://lovcen:secret@db:5432/lovcen
        rules:
          paths: [/etc/lovcen/rules, /opt/sigma/rules]
        ingest:
          queue_events: 500000
        sessions:
          hours: 8
        """);
    ServeConfig c = ServeConfig.load(file, Map.of());
    assertThat(c.listen()).isEqualTo(new ServeConfig.Listen("127.0.0.1", 9443, "", "", -1));
    assertThat(c.database()).isEqualTo(new ServeConfig.Database("postgresql://lovcen:secret@db:5432/lovcen", 8));
    assertThat(c.databaseUrl()).isEqualTo("postgresql://lovcen:secret@db:5432/lovcen");
    assertThat(c.rules().paths()).containsExactly("/etc/lovcen/rules", "/opt/sigma/rules");
    assertThat(c.ingest()).isEqualTo(new ServeConfig.Ingest(64, 16, 500_000, 5000, 20, 30, 50));
    assertThat(c.sessions().hours()).isEqualTo(8);
  }

  @Test
  void parse_nullValue_keepsTheDefault() {
    assertThat(parse("listen:\n  port:\n").listen().port()).isEqualTo(8080);
  }

  @Test
  void environment_overridesDefaultsAndFile_stringsNumbersAndLists() {
    Map<String, String> env = Map.of(
        "LOVCEN_LISTEN_PORT", " 9090 ",
        "LOVCEN_LISTEN_HOST", "0.0.0.0",
        "LOVCEN_DATABASE_URL", "postgresql://lovcen@db/lovcen",
        "LOVCEN_RULES_PATHS", "/a, /b,,/c",
        "LOVCEN_INTEL_FILES", "",
        "LOVCEN_SYSLOG_UDP_PORT", "-1",
        "LOVCEN_ADMIN_PASSWORD", "from-the-environment");
    ServeConfig c = ServeConfig.parse("listen:\n  port: 9000\nintel:\n  files: [a.json]\n", "lovcen.yml", env);
    assertThat(c.listen()).isEqualTo(new ServeConfig.Listen("0.0.0.0", 9090, "", "", -1));
    assertThat(c.database().url()).isEqualTo("postgresql://lovcen@db/lovcen");
    assertThat(c.rules().paths()).containsExactly("/a", "/b", "/c");
    assertThat(c.intel().files()).isEmpty();
    assertThat(c.syslog().udpPort()).isEqualTo(-1);
    assertThat(c.admin().password()).isEqualTo("from-the-environment");
  }

  @Test
  void environment_otherVariablesAreIgnored() {
    assertThat(ServeConfig.defaults(Map.of("LOVCEN_HOME", "/opt/lovcen", "PATH", "/bin")))
        .isEqualTo(ServeConfig.defaults(Map.of()));
  }

  @Test
  void environment_badNumber_namesTheVariableAndValue() {
    assertThatThrownBy(() -> ServeConfig.defaults(Map.of("LOVCEN_INGEST_QUEUE_EVENTS", "lots")))
        .isInstanceOf(LovcenException.class)
        .hasMessageContaining("LOVCEN_INGEST_QUEUE_EVENTS").hasMessageContaining("'lots'");
  }

  @Test
  void parse_unknownKey_isNamedWithItsSection() {
    assertThatThrownBy(() -> parse("listen:\n  hots: 0.0.0.0\n")).isInstanceOf(LovcenException.class)
        .hasMessageContaining("lovcen.yml").hasMessageContaining("unknown key 'listen.hots'");
    assertThatThrownBy(() -> parse("databse:\n  url: x\n")).hasMessageContaining("unknown key 'databse'");
  }

  @Test
  void parse_sectionGivenAsValue_isRejected() {
    assertThatThrownBy(() -> parse("listen: 8080\n")).isInstanceOf(LovcenException.class)
        .hasMessageContaining("'listen' must be a mapping");
    assertThatThrownBy(() -> parse("- listen\n- data\n")).hasMessageContaining("must be a mapping of sections");
  }

  @Test
  void parse_badNumber_namesTheKeyAndValue() {
    assertThatThrownBy(() -> parse("listen:\n  port: eighty\n")).isInstanceOf(LovcenException.class)
        .hasMessage("lovcen.yml: 'listen.port': 'eighty' is not a whole number");
    assertThatThrownBy(() -> parse("ingest:\n  batch_events: 1.5e3x\n")).hasMessageContaining("'ingest.batch_events'");
    assertThatThrownBy(() -> parse("database:\n  pool: 2.5\n")).hasMessageContaining("'database.pool'");
    assertThatThrownBy(() -> parse("rules:\n  paths:\n    nested: x\n")).hasMessageContaining("'rules.paths'");
    assertThatThrownBy(() -> parse("intel:\n  files: [a.json, {b: c}]\n")).hasMessageContaining("'intel.files[1]'");
  }

  @Test
  void parse_yamlSyntaxError_givesTheLine() {
    assertThatThrownBy(() -> parse("listen:\n  port: 8080\n  host: [127.0.0.1\ndata: x\n"))
        .isInstanceOf(LovcenException.class).hasMessageContaining("lovcen.yml").hasMessageMatching("(?s).*line [34].*");
  }

  @Test
  void load_missingFile_namesIt() {
    Path missing = dir.resolve("nope.yml");
    assertThatThrownBy(() -> ServeConfig.load(missing, Map.of())).isInstanceOf(LovcenException.class)
        .hasMessageContaining(missing.toString());
  }

  @Test
  void environmentNames_oneForEveryKeyOfTheDefaults() {
    List<String> names = ServeConfig.environmentNames();
    assertThat(names).hasSize(83).doesNotHaveDuplicates()
        .contains("LOVCEN_LISTEN_HOST", "LOVCEN_DATA", "LOVCEN_DATABASE_URL", "LOVCEN_INGEST_MAX_BODY_MB",
            "LOVCEN_SYSLOG_TLS_KEYSTORE", "LOVCEN_SESSIONS_HOURS", "LOVCEN_METRICS_ALLOW")
        .allSatisfy(n -> assertThat(n).matches("LOVCEN_[A-Z_]+"));
  }

  @Test
  void kafka_settingsFromTheSection_clientPropertiesOverrideTheAckTimeouts() {
    ServeConfig c = ServeConfig.defaults(Map.of("LOVCEN_KAFKA_BOOTSTRAP", "k1:9092,k2:9092", "LOVCEN_KAFKA_PREFIX",
        "cert.", "LOVCEN_KAFKA_PARTITIONS", "24", "LOVCEN_KAFKA_REPLICATION", "2", "LOVCEN_KAFKA_CLIENT",
        "security.protocol=SSL, request.timeout.ms=20000", "LOVCEN_INGEST_ACK_TIMEOUT_SECONDS", "40"));
    assertThat(c.kafka().enabled()).isTrue();
    org.lovcen.kafka.KafkaSettings k = LovcenServer.kafkaSettings(c);
    assertThat(k.bootstrap()).isEqualTo("k1:9092,k2:9092");
    assertThat(k.topics().alerts()).isEqualTo("cert.alerts");
    assertThat(k.partitions()).isEqualTo(24);
    assertThat(k.replication()).isEqualTo((short) 2);
    assertThat(k.client()).containsEntry("security.protocol", "SSL").containsEntry("request.timeout.ms", "20000")
        .containsEntry("delivery.timeout.ms", "40000");
    assertThatThrownBy(() -> LovcenServer.kafkaSettings(ServeConfig.defaults(Map.of("LOVCEN_KAFKA_BOOTSTRAP", "k:9092",
        "LOVCEN_KAFKA_CLIENT", "acks")))).isInstanceOf(LovcenException.class).hasMessageContaining("kafka.client");
  }
}
