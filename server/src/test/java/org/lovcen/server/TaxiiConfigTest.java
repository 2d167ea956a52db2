package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.LovcenException;

/** The indicator and TAXII configuration keys: defaults, feeds, and feeds refused at start. */
class TaxiiConfigTest {
  @TempDir Path dir;

  @Test
  void defaults_andEnvironment() {
    ServeConfig d = ServeConfig.defaults(Map.of());
    assertThat(d.intel().retroDays()).isEqualTo(30);
    assertThat(d.intel().identity()).isEqualTo("Lovcen");
    assertThat(d.taxii().root()).isEqualTo("lovcen");
    assertThat(d.taxii().maxContentMb()).isEqualTo(16);
    assertThat(d.taxii().pageSize()).isEqualTo(1000);
    assertThat(d.taxii().feeds()).isEmpty();
    ServeConfig e = ServeConfig.defaults(Map.of("LOVCEN_INTEL_RETRO_DAYS", "7", "LOVCEN_TAXII_ROOT", "cert"));
    assertThat(e.intel().retroDays()).isEqualTo(7);
    assertThat(e.taxii().root()).isEqualTo("cert");
  }

  @Test
  void feeds_areReadWithEveryKey_andUnknownKeysAreErrors() {
    ServeConfig c = ServeConfig.parse("""
        taxii:
          feeds:
            - name: cert-al
              url: https://taxii.example.org/api1/
              collection: 9a0b8c1e-5f52-4d4e-b8d6-5a1f0f8a2b3c
              user: lovcen
              password: secret
              interval_minutes: 15
              tlp: amber
            - name: misp
              url: https://misp.example.org/taxii2/root/collections/3f5a/
              api_key_header: Authorization
              api_key: Bearer abc
        """, "serve.yaml", Map.of());
    ServeConfig.Feed f = c.taxii().feeds().get(0);
    assertThat(f).isEqualTo(new ServeConfig.Feed("cert-al", "https://taxii.example.org/api1/",
        "9a0b8c1e-5f52-4d4e-b8d6-5a1f0f8a2b3c", "lovcen", "secret", null, null, 15, "amber"));
    assertThat(c.taxii().feeds().get(1).apiKeyHeader()).isEqualTo("Authorization");
    assertThat(c.taxii().feeds().get(1).intervalMinutes()).isZero();

    assertThatThrownBy(() -> ServeConfig.parse("taxii:\n  feeds:\n    - name: x\n      uri: y\n", "serve.yaml",
        Map.of())).isInstanceOf(LovcenException.class).hasMessageContaining("unknown key 'uri'");
  }

  @Test
  void badFeed_stopsTheStart_withTheReason() {
    Map<String, String> env = Map.of("LOVCEN_DATABASE_URL", dir.resolve("l.db").toString(), "LOVCEN_LISTEN_PORT", "0",
        "LOVCEN_ADMIN_PASSWORD", TestServer.ADMIN_PASSWORD);
    ServeConfig noCollection = ServeConfig.parse("""
        taxii:
          feeds:
            - name: cert-al
              url: https://taxii.example.org/api1/
        """, "serve.yaml", env);
    assertThatThrownBy(() -> LovcenServer.start(noCollection, TestServer::rules))
        .hasMessageContaining("feed 'cert-al' names an API root but no collection");
    ServeConfig badTlp = ServeConfig.parse("""
        taxii:
          feeds:
            - name: cert-al
              url: https://taxii.example.org/api1/collections/x/
              tlp: purple
        """, "serve.yaml", env);
    assertThatThrownBy(() -> LovcenServer.start(badTlp, TestServer::rules)).hasMessageContaining("purple");
  }
}
