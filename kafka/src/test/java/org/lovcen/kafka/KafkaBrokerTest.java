package org.lovcen.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {
  @TempDir java.nio.file.Path tmp;

  @Test
  void start_createsLovcensTopics() throws Exception {
    try (KafkaBroker b = KafkaBroker.start(); Admin admin = Admin.create(Map.of("bootstrap.servers", b.bootstrap()))) {
      KafkaSettings s = b.settings("t.", tmp);
      s.topics().create(admin, 2, (short) 1);
      Set<String> names = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      assertThat(names).contains("t.events", "t.hits", "t.alerts", "t.rules", "t.indicators");
    }
  }
}
