package org.lovcen.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.core.Alert;
import org.lovcen.core.Timestamps;
import org.lovcen.demo.WebTrafficGenerator;

/** On live input the cross-site campaign is announced while the floods go on, once, before the end. */
class CampaignLiveTest {
  @TempDir
  Path dir;

  @Test
  void campaign_isAnnouncedWhileFloodsLast() throws Exception {
    WebTrafficGenerator.Options o = WebTrafficGenerator.Options.defaults();
    WebTrafficGenerator.generate(dir, o);
    long secondFloodStart = WebTrafficGenerator.attacks(o).stream().filter(a -> a.type().equals("distributed_flood"))
        .mapToLong(WebTrafficGenerator.Attack::start).max().orElseThrow();
    List<Request> requests = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().contains(".access.")).sorted().toList();
    }
    for (Path f : files) {
      new AccessLogSource(f, f.getFileName().toString(), AccessLogFormat.AUTO, null)
          .readRecords(r -> requests.add(Request.of(r, WebConfig.DEFAULT)), p -> { });
    }
    requests.sort((a, b) -> Long.compare(a.time(), b.time()));
    List<Alert> alerts = new ArrayList<>();
    WebDetector d = new WebDetector(WebConfig.DEFAULT, null, alerts::add);
    int n = 0;
    for (Request r : requests) {
      d.accept(r);
      if (++n % 500 == 0) {
        d.announceCampaigns();
      }
    }
    List<Alert> early = alerts.stream().filter(a -> a.ruleId().equals("campaign")).toList();
    assertThat(early).hasSize(1);
    Alert a = early.get(0);
    assertThat(a.fields()).containsEntry("ongoing", "true");
    long detected = Timestamps.parse(a.fields().get("detected"));
    assertThat(detected).isGreaterThanOrEqualTo(secondFloodStart)
        .isLessThan(secondFloodStart + 5 * 60_000_000L);
    d.flush();
    List<Alert> all = alerts.stream().filter(x -> x.ruleId().equals("campaign")).toList();
    assertThat(all).hasSize(2);
    assertThat(all.get(1).fields()).doesNotContainKey("ongoing");
  }
}
