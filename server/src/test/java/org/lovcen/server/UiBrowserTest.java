package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/*
 * How and why: the analyst's web UI end to end, in headless Chromium against a server holding the
 * demo scenario (the August 2022 wave): sign in, the overview, from an alert to its incident and
 * to the raw event, event search, rules, administration, and tenancy as an institution's analyst
 * sees it (another institution's alert is neither listed nor reachable by its address). Each page
 * is photographed: into target/screenshots, and into docs/screenshots (shown in README.md) when
 * LOVCEN_UPDATE_SCREENSHOTS=1. One browser and one seeded server for the class, on SQLite (the
 * API tests cover both databases); the tests run in order, as an analyst's session would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserTest {
  @TempDir static Path dir;
  static DemoWorld world;
  static Browser b;

  @BeforeAll
  static void start() throws Exception {
    world = DemoWorld.start("sqlite", dir, 3, 20_000);
    b = Browser.start(world.s.url);
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (world != null) {
      world.close();
    }
  }

  static void shot(String name) {
    b.screenshot(TestServer.root().resolve("server/target/screenshots/" + name + ".png"));
    if ("1".equals(System.getenv("LOVCEN_UPDATE_SCREENSHOTS"))) {
      b.screenshot(TestServer.root().resolve("docs/screenshots/" + name + ".png"));
    }
  }

  static void signIn(String name, String password) {
    b.open("/ui/");
    b.await(By.id("signin-name")).sendKeys(name);
    b.driver.findElement(By.id("signin-password")).sendKeys(password);
    b.driver.findElement(By.id("signin-submit")).click();
    b.ready("overview");
  }

  static void signOut() {
    b.driver.findElement(By.id("signout")).click();
    b.await(By.id("signin-name"));
  }

  static void page(String hash, String page) {
    b.unready();
    b.hash(hash);
    b.ready(page);
  }

  @Test
  @Order(1)
  void signIn_showsTheOverview_withTheInstitutionsHit() {
    b.open("/ui/");
    b.await(By.id("signin-name"));
    shot("signin");
    signIn("admin", TestServer.ADMIN_PASSWORD);
    b.await(By.cssSelector("#chart .uplot"));
    long total = world.s.get("/api/v1/alerts?limit=1", world.admin).json().get("total").asLong();
    assertThat(Long.parseLong(b.await(By.id("kpi-alerts")).getText().replace(",", ""))).isPositive()
        .isLessThanOrEqualTo(total);
    List<String> shown = b.driver.findElements(By.cssSelector("#institutions-hit tbody tr")).stream()
        .map(tr -> tr.getAttribute("data-institution")).toList();
    assertThat(shown).containsAll(world.hit);
    assertThat(b.driver.findElements(By.cssSelector("#top-rules tbody tr"))).isNotEmpty();
    assertThat(b.driver.findElements(By.cssSelector("#top-tactics .bar"))).isNotEmpty();
    // the session lives in an HttpOnly cookie: the page's scripts cannot read it
    assertThat((String) b.js("return document.cookie")).contains("lovcen_csrf=").doesNotContain("lovcen_session");
    String first = (String) b.js("return document.documentElement.dataset.theme");
    shot("overview-" + first);
    b.unready();
    b.driver.findElement(By.id("theme")).click();
    b.ready("overview");
    b.await(By.cssSelector("#chart .uplot"));
    String second = (String) b.js("return document.documentElement.dataset.theme");
    assertThat(List.of(first, second)).containsExactlyInAnyOrder("dark", "light");
    shot("overview-" + second);
    if (second.equals("light")) { // the remaining pages in the dark theme
      b.unready();
      b.driver.findElement(By.id("theme")).click();
      b.ready("overview");
    }
  }

  @Test
  @Order(2)
  void alert_opensItsIncident_andTheIncidentShowsTheRawEvent() {
    page("#/alerts?level=high", "alerts");
    List<WebElement> rows = b.driver.findElements(By.cssSelector("#alerts tbody tr"));
    assertThat(rows).isNotEmpty();
    assertThat(b.driver.findElements(By.cssSelector("#alerts tbody .lvl")).stream().map(WebElement::getText))
        .allMatch(l -> l.equals("HIGH") || l.equals("CRITICAL"));
    WebElement withIncident = rows.stream().filter(r -> !r.findElements(By.cssSelector("td:last-child a")).isEmpty())
        .findFirst().orElseThrow();
    withIncident.click(); // click 1: the alert
    b.await(By.id("open-incident"));
    shot("alerts");
    b.unready();
    b.driver.findElement(By.id("open-incident")).click(); // click 2: its incident
    b.ready("incident");
    b.await(By.id("incident-summary"));
    List<WebElement> items = b.driver.findElements(By.cssSelector("#timeline .tl-item"));
    assertThat(items).isNotEmpty();
    items.get(0).findElement(By.cssSelector(".tl-open")).click(); // click 3: the raw event
    WebElement event = b.await(By.cssSelector("#timeline .event-detail"));
    assertThat(event.getText()).contains("Fields").contains("institution");
    shot("incident");
  }

  @Test
  @Order(3)
  void incident_statusAssigneeAndNotes_areSaved() {
    long id = Long.parseLong(b.driver.getCurrentUrl().replaceAll(".*#/incidents/(\\d+).*", "$1"));
    new org.openqa.selenium.support.ui.Select(b.driver.findElement(By.id("status"))).selectByValue("investigating");
    WebElement who = b.driver.findElement(By.id("assignee"));
    who.clear();
    who.sendKeys("nadia");
    b.driver.findElement(By.id("save-incident")).click();
    b.await(By.xpath("//span[@id='saved' and text()='Saved.']"));
    b.driver.findElement(By.id("note-text")).sendKeys("Isolated the host; PsExec services from Temp.");
    b.driver.findElement(By.id("add-note")).click();
    b.await(By.xpath("//div[@id='notes']//div[contains(., 'Isolated the host')]"));
    JsonNode inc = world.s.get("/api/v1/incidents/" + id, world.admin).json();
    assertThat(inc.get("status").asText()).isEqualTo("investigating");
    assertThat(inc.get("assignee").asText()).isEqualTo("nadia");
  }

  @Test
  @Order(4)
  void eventSearch_byField_showsEveryFieldOfTheEvent() {
    page("#/events", "events");
    b.driver.findElement(By.cssSelector("#event-filter input[name=q]")).sendKeys("sekurlsa");
    b.driver.findElement(By.cssSelector("#conditions .cond-name")).sendKeys("Image");
    b.driver.findElement(By.cssSelector("#conditions .cond-value")).sendKeys("*.exe");
    b.unready();
    b.driver.findElement(By.id("event-search")).click();
    b.ready("events");
    List<WebElement> rows = b.driver.findElements(By.cssSelector("#events tbody tr"));
    assertThat(rows).isNotEmpty();
    rows.get(0).click();
    WebElement detail = b.await(By.cssSelector("#event-detail .event-detail"));
    assertThat(detail.getText()).containsIgnoringCase("sekurlsa").contains("Image");
    shot("events");
  }

  @Test
  @Order(5)
  void rules_listReasons_andAnUploadedRuleIsChecked() {
    page("#/rules", "rules");
    assertThat(b.await(By.id("rules-active")).getText()).isNotEqualTo("0");
    assertThat(b.driver.findElements(By.cssSelector("#rule-switches tbody tr"))).isNotEmpty();
    b.driver.findElement(By.id("rule-yaml")).sendKeys("title: broken\nlogsource:\n  product: windows\n"
        + "detection:\n  selection:\n    Image|endswith: x.exe\n  condition: selection and missing\n");
    b.driver.findElement(By.id("check-rule")).click();
    WebElement result = b.await(By.cssSelector("#rule-check li.error"));
    assertThat(result.getText()).contains("missing");
    shot("rules");
  }

  @Test
  @Order(6)
  void admin_listsInstitutionsAndUsers() {
    page("#/admin", "admin");
    assertThat(b.driver.findElements(By.cssSelector("#institution-list tbody tr"))).hasSize(world.institutions.size());
    assertThat(b.driver.findElement(By.id("user-list")).getText()).contains("nadia");
    shot("admin");
  }

  @Test
  @Order(7)
  void institutionAnalyst_seesOnlyTheirInstitution_notInListsNorByAddress() {
    String mine = world.hit.get(0);
    String other = world.institutions.stream().filter(i -> !i.equals(mine)).findFirst().orElseThrow();
    JsonNode otherAlert = world.s.get("/api/v1/alerts?limit=1&institution=" + other, world.admin).json()
        .get("items").get(0);
    signOut();
    signIn("ana-" + mine, DemoWorld.password("ana-" + mine));
    List<String> hit = b.driver.findElements(By.cssSelector("#institutions-hit tbody tr")).stream()
        .map(tr -> tr.getAttribute("data-institution")).toList();
    assertThat(hit).containsExactly(mine);
    page("#/alerts", "alerts");
    List<String> institutions = b.driver.findElements(By.cssSelector("#alerts tbody tr td:nth-child(4)")).stream()
        .map(WebElement::getText).distinct().toList();
    assertThat(institutions).containsExactly(mine);
    assertThat(b.driver.findElements(By.cssSelector("#alerts tbody tr[data-id='" + otherAlert.get("id").asText() + "']")))
        .isEmpty();
    page("#/alerts?institution=" + other, "alerts");
    assertThat(b.await(By.cssSelector("#main .error")).getText()).contains("no access");
    if (!otherAlert.get("incident").isNull()) {
      page("#/incidents/" + otherAlert.get("incident").asText(), "incident");
      assertThat(b.await(By.cssSelector("#main .error")).getText()).isEqualTo("Not found.");
    }
    page("#/events?id=" + otherAlert.get("event_id").asText(), "events");
    assertThat(b.await(By.cssSelector("#main .error")).getText()).isEqualTo("Not found.");
    signOut();
  }
}
