package org.lovcen.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.lovcen.demo.ScenarioGenerator;
import org.lovcen.demo.WebTrafficGenerator;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/*
 * How and why: the analyst's web UI end to end, in headless Chromium against a server holding the
 * demo scenario (the August 2022 wave, the actor at three of four institutions): sign in, the
 * overview, from an alert to its incident and to the raw event, event search, rules, the campaign
 * with its graph and from it to an incident and its raw event, its reports, a case with its task
 * board, comments, evidence, actions and audit log, administration, the websites of election day
 * with a decision revoked, and tenancy as an institution's analyst sees it (another institution's
 * alert, incident, event, case and campaign hosts are neither listed nor reachable by address). Each page
 * is photographed: into target/screenshots, and into docs/screenshots (shown in README.md) when
 * LOVCEN_UPDATE_SCREENSHOTS=1. One browser and one seeded server for the class, on SQLite (the
 * API tests cover both databases); the tests run in order, as an analyst's session would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiBrowserTest {
  @TempDir static Path dir;
  static DemoWorld world;
  static Browser b;
  static long campaign;
  static long campaignCase;
  static long incidentCase;

  @BeforeAll
  static void start() throws Exception {
    world = DemoWorld.start("sqlite", dir, ScenarioGenerator.Options.defaults().withInstitutions(4).withEvents(20_000)
        .withActorTargets(3));
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
    if (hash.equals(b.js("return location.hash"))) { // the same address again: draw it again
      b.js("window.dispatchEvent(new HashChangeEvent('hashchange'))");
    } else {
      b.hash(hash);
    }
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
    b.unready();
    b.driver.findElement(By.id("theme")).click();
    b.ready("overview");
    b.await(By.cssSelector("#chart .uplot"));
    String second = (String) b.js("return document.documentElement.dataset.theme");
    assertThat(List.of(first, second)).containsExactlyInAnyOrder("dark", "light");
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
  void rules_listReasons_andAnUploadedRuleIsCheckedAddedAndDeleted() {
    page("#/rules", "rules");
    JsonNode report = world.s.get("/api/v1/rules", world.admin).json();
    assertThat(b.await(By.id("rules-active")).getText()).isNotEqualTo("0")
        .isEqualTo(String.format(java.util.Locale.ROOT, "%,d", report.get("active").asInt()));
    assertThat(b.driver.findElement(By.id("rules-active-uploaded")).getText()).isEqualTo("0");
    assertThat(b.driver.findElements(By.cssSelector("#rule-switches tbody tr"))).isNotEmpty();
    b.driver.findElement(By.id("rule-yaml")).sendKeys("title: broken\nlogsource:\n  product: windows\n"
        + "detection:\n  selection:\n    Image|endswith: x.exe\n  condition: selection and missing\n");
    b.driver.findElement(By.id("check-rule")).click();
    WebElement result = b.await(By.cssSelector("#rule-check li.error"));
    assertThat(result.getText()).contains("missing");
    // adding the broken rule to the running ones is refused with the same problems and their lines
    b.js("document.getElementById('rule-check').replaceChildren()");
    b.driver.findElement(By.id("upload-rule")).click();
    assertThat(b.await(By.cssSelector("#rule-check li.error")).getText()).startsWith("line 7").contains("missing");
    // a good one runs at once, for the institution chosen, and is listed
    String mine = world.hit.get(0);
    WebElement yaml = b.driver.findElement(By.id("rule-yaml"));
    yaml.clear();
    yaml.sendKeys(RuleUploadTest.YAML);
    new Select(b.driver.findElement(By.id("upload-institution"))).selectByValue(mine);
    b.driver.findElement(By.id("upload-rule")).click();
    assertThat(b.await(By.cssSelector("#rule-check p.ok")).getText()).startsWith("Running now for " + mine);
    assertThat(b.await(By.id("rule-uploads")).getText()).contains("Backup agent started").contains(mine);
    // the active rules: the folders' and the uploaded one, each said
    until(() -> b.driver.findElement(By.id("rules-active-uploaded")).getText().equals("1"));
    assertThat(b.driver.findElement(By.id("rules-active")).getText())
        .isEqualTo(String.format(java.util.Locale.ROOT, "%,d", report.get("active").asInt() + 1));
    assertThat(b.driver.findElement(By.id("rules-active-loaded")).getText())
        .isEqualTo(String.format(java.util.Locale.ROOT, "%,d", report.get("active").asInt()));
    String token = world.s.post("/api/v1/institutions/" + mine + "/ingest-tokens", world.admin, null, new byte[0])
        .json().get("token").asText();
    world.s.ingest(token, RuleUploadTest.bkagent("BK-TEST01", 1));
    world.s.awaitDetection();
    assertThat(world.s.get("/api/v1/alerts?rule=" + RuleUploadTest.RULE + "&institution=" + mine, world.admin).json()
        .get("total").asInt()).isEqualTo(1);
    shot("rules");
    // deleted from the page: no longer listed, no longer running
    b.driver.findElement(By.cssSelector("#rule-uploads .delete-upload")).click();
    b.driver.switchTo().alert().accept();
    b.await(By.xpath("//div[@id='uploads']/p[text()='No uploaded rules run.']"));
    until(() -> b.driver.findElement(By.id("rules-active-uploaded")).getText().equals("0"));
    assertThat(world.s.get("/api/v1/rules/uploads", world.admin).json().get("total").asInt()).isZero();
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
  void campaign_showsGraphHostsAndWhyLinked_andLeadsToAnIncidentAndItsRawEvent() {
    assertThat(world.s.postJson("/api/v1/campaigns/link", world.admin, Map.of()).status()).isEqualTo(200);
    JsonNode list = world.s.get("/api/v1/campaigns", world.admin).json();
    assertThat(list.get("total").asInt()).isPositive();
    campaign = list.get("items").get(0).get("id").asLong();
    JsonNode c = world.s.get("/api/v1/campaigns/" + campaign, world.admin).json();
    page("#/campaigns", "campaigns");
    assertThat(b.driver.findElements(By.cssSelector("#campaigns tbody tr"))).hasSize(list.get("items").size());
    shot("campaigns");
    b.unready();
    b.driver.findElement(By.cssSelector("#campaigns tbody tr[data-id='" + campaign + "'] a")).click(); // the campaign
    b.ready("campaign");
    b.await(By.cssSelector("#campaign-graph canvas"));
    List<String> nodes = List.of(b.driver.findElement(By.id("campaign-graph")).getAttribute("data-nodes").split("\n"));
    for (JsonNode h : c.get("members")) {
      String inst = h.get("institution").asText();
      assertThat(nodes).contains("i:" + inst, "h:" + inst + "/" + h.get("host").asText());
    }
    assertThat(nodes).anyMatch(n -> n.startsWith("e:"));
    assertThat(b.driver.findElements(By.cssSelector("#campaign-hosts tbody tr"))).hasSize(c.get("members").size());
    for (JsonNode h : c.get("members")) { // each host's incident, as the campaign gives it
      WebElement row = b.driver.findElement(By.cssSelector("#campaign-hosts tr[data-institution='"
          + h.get("institution").asText() + "'][data-host='" + h.get("host").asText() + "']"));
      assertThat(h.get("incident").isNull()).isFalse();
      assertThat(row.findElement(By.cssSelector("a.host-incident")).getAttribute("href"))
          .endsWith("#/incidents/" + h.get("incident").asLong());
    }
    String zero = c.get("patient_zero").get("host").asText();
    assertThat(b.driver.findElement(By.id("campaign-summary")).getText()).contains(zero);
    assertThat(b.driver.findElement(By.cssSelector("#campaign-hosts tr[data-host='" + zero + "']")).getText())
        .contains("ZERO");
    List<WebElement> because = b.driver.findElements(By.cssSelector("#campaign-links .because"));
    assertThat(because).hasSize(c.get("links").size());
    assertThat(because.get(0).getText()).startsWith("linked because of the same").contains("weight");
    assertThat(b.driver.findElements(By.cssSelector("#campaign-timeline .tl-item"))).isNotEmpty();
    shot("campaign");
    // from the campaign to the raw event: an incident of one of its hosts, then a timeline entry
    b.unready();
    b.driver.findElement(By.cssSelector("#campaign-hosts a.host-incident")).click();
    b.ready("incident");
    b.driver.findElements(By.cssSelector("#timeline .tl-item .tl-open")).get(0).click();
    assertThat(b.await(By.cssSelector("#timeline .event-detail")).getText()).contains("Fields");
  }

  @Test
  @Order(8)
  void campaignReport_opensAsHtml_andDownloadsAsPdf() {
    page("#/campaigns/" + campaign, "campaign");
    String pdf = b.driver.findElement(By.id("report-pdf")).getAttribute("href");
    assertThat(pdf).endsWith("/api/v1/campaigns/" + campaign + "/report?format=pdf");
    Object got = b.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "fetch(arguments[0]).then(async (r) => done(r.status + ' ' + r.headers.get('content-type') + ' '"
        + " + (await r.text()).slice(0, 5)));", pdf);
    assertThat((String) got).isEqualTo("200 application/pdf %PDF-");
    String ui = b.driver.getWindowHandle();
    b.driver.findElement(By.id("report-html")).click();
    new WebDriverWait(b.driver, Duration.ofSeconds(20)).until(d -> d.getWindowHandles().size() == 2);
    b.driver.switchTo().window(b.driver.getWindowHandles().stream().filter(h -> !h.equals(ui)).findFirst()
        .orElseThrow());
    try {
      b.await(By.xpath("//h2[text()='Executive summary']"));
      String zero = world.s.get("/api/v1/campaigns/" + campaign, world.admin).json().get("patient_zero").get("host")
          .asText();
      assertThat(b.driver.findElement(By.tagName("body")).getText()).contains(zero);
      shot("report");
    } finally {
      b.driver.close();
      b.driver.switchTo().window(ui);
    }
  }

  @Test
  @Order(9)
  void caseFromTheCampaign_taskBoardCommentsEvidenceActionsAndAuditLog() {
    page("#/campaigns/" + campaign, "campaign");
    b.unready();
    b.driver.findElement(By.id("open-case")).click();
    b.ready("case");
    campaignCase = Long.parseLong(b.driver.getCurrentUrl().replaceAll(".*#/cases/(\\d+).*", "$1"));
    assertThat(b.driver.findElement(By.id("case-campaign")).getAttribute("href")).endsWith("#/campaigns/" + campaign);
    JsonNode tasks = world.s.get("/api/v1/cases/" + campaignCase + "/tasks", world.admin).json().get("items");
    assertThat(tasks.size()).as("tasks from the playbooks").isGreaterThan(2);
    assertThat(b.driver.findElements(By.cssSelector("#task-board .column[data-status='open'] .task")))
        .hasSize(tasks.size());
    long first = tasks.get(0).get("id").asLong();
    long second = tasks.get(1).get("id").asLong();
    long third = tasks.get(2).get("id").asLong();
    // a button, the keyboard and a drag move tasks between the columns
    card(first).findElement(By.cssSelector(".move-right")).click();
    awaitCard(first, "in_progress");
    b.js("arguments[0].focus()", card(first));
    new Actions(b.driver).sendKeys("l").perform();
    awaitCard(first, "done");
    b.js("const card = arguments[0], col = arguments[1], dt = new DataTransfer();"
        + "card.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt}));"
        + "col.dispatchEvent(new DragEvent('dragover', {bubbles: true, cancelable: true, dataTransfer: dt}));"
        + "col.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt}));",
        card(second), b.driver.findElement(By.cssSelector("#task-board .column[data-status='skipped']")));
    awaitCard(second, "skipped");
    // assignee and due date of a task
    card(third).findElement(By.cssSelector(".task-assignee")).sendKeys("nadia", Keys.TAB);
    b.js("arguments[0].value = '2022-08-23T12:00'; arguments[0].dispatchEvent(new Event('change'))",
        card(third).findElement(By.cssSelector(".task-due")));
    until(() -> {
      JsonNode t = task(campaignCase, third);
      return t.get("assignee").asText().equals("nadia") && t.get("due").asText().startsWith("2022-08-23T12:00:00");
    });
    assertThat(task(campaignCase, first).get("status").asText()).isEqualTo("done");
    assertThat(task(campaignCase, second).get("status").asText()).isEqualTo("skipped");
    // comment and evidence
    b.driver.findElement(By.id("comment-text")).sendKeys("Same PsExec service name at all three; ANSSI informed.");
    b.driver.findElement(By.id("add-comment")).click();
    b.await(By.xpath("//div[@id='comments']//div[contains(., 'ANSSI informed')]"));
    String zero = world.s.get("/api/v1/campaigns/" + campaign, world.admin).json().get("patient_zero").get("host")
        .asText();
    new Select(b.driver.findElement(By.id("evidence-kind"))).selectByValue("host");
    b.driver.findElement(By.id("evidence-ref")).sendKeys(zero);
    b.driver.findElement(By.id("evidence-note")).sendKeys("patient zero, memory image taken");
    b.driver.findElement(By.id("add-evidence")).click();
    assertThat(b.await(By.id("evidence-list")).getText()).contains(zero).contains("memory image");
    // a response action: contain the campaign's hosts
    b.driver.findElement(By.cssSelector("#case-actions button[data-action='contain_host']")).click();
    b.await(By.id("action-run")).click();
    assertThat(b.await(By.cssSelector("#action-result .ok")).getText()).startsWith("Contain host done");
    JsonNode contained = world.s.get("/api/v1/cases/" + campaignCase + "/tasks", world.admin).json().get("items");
    assertThat(contained).anyMatch(t -> t.get("action").asText().equals("contain_host")
        && t.get("status").asText().equals("done") && !t.get("result").isNull());
    until(() -> {
      String log = b.driver.findElement(By.id("audit-log")).getText();
      return log.contains("task.update") && log.contains("comment.add") && log.contains("evidence.add")
          && log.contains("task.action");
    });
    b.js("window.scrollTo(0, 0); document.getElementById('main').scrollTop = 0");
    shot("case");
  }

  @Test
  @Order(10)
  void incident_opensACase_andLinksItsReports() {
    JsonNode inc = world.s.get("/api/v1/incidents?limit=1&institution=" + world.hit.get(1), world.admin).json()
        .get("items").get(0);
    long id = inc.get("id").asLong();
    page("#/incidents/" + id, "incident");
    assertThat(b.driver.findElement(By.id("report-html")).getAttribute("href"))
        .endsWith("/api/v1/incidents/" + id + "/report?format=html");
    assertThat(b.driver.findElement(By.id("report-pdf")).getAttribute("href"))
        .endsWith("/api/v1/incidents/" + id + "/report?format=pdf");
    b.unready();
    b.driver.findElement(By.id("open-case")).click();
    b.ready("case");
    assertThat(b.driver.findElement(By.id("case-incident")).getAttribute("href")).endsWith("#/incidents/" + id);
    JsonNode cases = world.s.get("/api/v1/cases?incident=" + id, world.admin).json();
    assertThat(cases.get("total").asInt()).isEqualTo(1);
    assertThat(cases.get("items").get(0).get("institution").asText()).isEqualTo(inc.get("institution").asText());
    incidentCase = cases.get("items").get(0).get("id").asLong();
    assertThat(b.driver.findElement(By.id("report-html")).getAttribute("href"))
        .endsWith("/api/v1/cases/" + incidentCase + "/report?format=html");
    page("#/cases", "cases");
    assertThat(b.driver.findElements(By.cssSelector("#cases tbody tr")).stream().map(r -> r.getAttribute("data-id")))
        .contains(Long.toString(campaignCase), Long.toString(incidentCase));
    shot("cases");
    page("#/incidents/" + id, "incident");
    assertThat(b.await(By.cssSelector("#subject-cases a")).getAttribute("href")).endsWith("#/cases/" + incidentCase);
  }

  @Test
  @Order(11)
  void websites_showRatesErrorsAndDecisions_andARevokedDecisionLeavesTheBouncerStream() throws Exception {
    // the government portal's log as its shipper sends it: up to 09:05, in the middle of the distributed flood
    Path web = dir.resolve("web");
    WebTrafficGenerator.generate(web, WebTrafficGenerator.Options.defaults().withScale(0.1));
    world.s.institution(world.admin, "uprava");
    List<String> lines = Files.readAllLines(web.resolve("gov.access.log"));
    int cut = 0;
    while (lines.get(cut).substring(lines.get(cut).indexOf("/2016:") + 6).compareTo("11:05:00") < 0) { // +0200
      cut++;
    }
    sendGov(lines.subList(0, cut));
    JsonNode site = world.s.get("/api/v1/sites?institution=uprava", world.admin).json().get("items").get(0);
    assertThat(site.get("active_decisions").asLong()).isPositive();
    JsonNode flood = site.get("current_attacks").get(0);
    assertThat(flood.get("kind").asText()).isEqualTo("distributed_flood");
    page("#/websites?site=" + site.get("site").asText(), "websites");
    WebElement row = govRow(site);
    List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    assertThat(Double.parseDouble(cells.get(2))).isPositive(); // requests per second
    assertThat(cells.get(3)).matches("\\d+\\.\\d%"); // error share
    assertThat(Long.parseLong(cells.get(4).replace(",", ""))).isEqualTo(site.get("active_decisions").asLong());
    // the attack under way: what, since when (the site's time, not the wall clock's), from how many sources
    List<WebElement> attacks = row.findElements(By.cssSelector("td.attacks .attack"));
    assertThat(attacks).hasSize(1);
    WebElement attack = attacks.get(0);
    assertThat(attack.getAttribute("data-kind")).isEqualTo("distributed_flood");
    assertThat(attack.findElement(By.tagName("a")).getText()).isEqualToIgnoringCase("distributed flood");
    assertThat(attack.findElement(By.cssSelector(".since")).getText()).isEqualTo(flood.get("since").asText()
        .substring(11, 16)).startsWith("09:0");
    assertThat(attack.findElement(By.cssSelector(".sources")).getText())
        .isEqualTo(String.format(java.util.Locale.ROOT, "%,d sources", flood.get("sources").asLong()));
    b.await(By.cssSelector("#site-chart .uplot"));
    shot("websites");
    // its link: the flood's alert
    b.unready();
    attack.findElement(By.tagName("a")).click();
    b.ready("alerts");
    List<WebElement> floodAlerts = b.driver.findElements(By.cssSelector("#alerts tbody tr"));
    assertThat(floodAlerts).hasSize(flood.get("alerts").asInt());
    assertThat(floodAlerts.get(0).getAttribute("data-id")).isEqualTo(flood.get("newest_alert").asText());
    // the rest of the morning: the flood is over, and when it ended is said
    sendGov(lines.subList(cut, lines.size()));
    JsonNode later = world.s.get("/api/v1/sites?institution=uprava", world.admin).json().get("items").get(0);
    assertThat(later.get("current_attacks")).isEmpty();
    String key = world.s.postJson("/api/v1/bouncers", world.admin, Map.of("name", "uprava-firewall", "institution",
        "uprava")).json().get("key").asText();
    JsonNode startup = bouncer("/v1/decisions/stream?startup=true", key);
    page("#/websites?site=" + site.get("site").asText(), "websites");
    assertThat(govRow(site).findElements(By.cssSelector("td.attacks .attack"))).isEmpty();
    assertThat(govRow(site).findElement(By.cssSelector("td.attacks .ended")).getText())
        .isEqualToIgnoringCase("none · last: distributed flood ended " + later.get("last_attack").get("last").asText()
            .substring(11, 16));
    b.await(By.cssSelector("#site-chart .uplot"));
    WebElement decision = b.driver.findElements(By.cssSelector("#decisions tbody tr")).stream()
        .filter(r -> !r.findElements(By.cssSelector(".revoke")).isEmpty()).findFirst().orElseThrow();
    String id = decision.getAttribute("data-id");
    String value = world.s.get("/api/v1/decisions/" + id, world.admin).json().get("value").asText();
    assertThat(startup.get("new")).anyMatch(d -> d.get("value").asText().equals(value));
    Thread.sleep(5); // the revocation in a later millisecond than the bouncer's pull
    b.unready();
    decision.findElement(By.cssSelector(".revoke")).click();
    b.ready("websites");
    assertThat(b.driver.findElement(By.cssSelector("#decisions tr[data-id='" + id + "']")).getText()).contains("revoked");
    JsonNode revoked = world.s.get("/api/v1/decisions/" + id, world.admin).json();
    assertThat(revoked.get("active").asBoolean()).isFalse();
    assertThat(revoked.get("revoked_by").asText()).isEqualTo("admin");
    Thread.sleep(5);
    JsonNode next = bouncer("/v1/decisions/stream", key);
    assertThat(next.get("deleted")).anyMatch(d -> d.get("value").asText().equals(value));
    assertThat(next.get("new").isNull() || next.get("new").findValuesAsText("value").stream().noneMatch(value::equals))
        .isTrue();
  }

  static void sendGov(List<String> lines) {
    TestServer.Response up = world.s.post("/api/v1/ingest/files?name=gov.access.log&institution=uprava", world.admin,
        "application/octet-stream", (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    assertThat(up.status()).as(up.body()).isEqualTo(200);
    world.s.awaitDetection();
  }

  static WebElement govRow(JsonNode site) {
    return b.driver.findElement(By.cssSelector("#sites tr[data-site='" + site.get("site").asText()
        + "'][data-institution='uprava']"));
  }

  @Test
  @Order(12)
  void overview_saysWhatIsBeingDone_inBothThemes() {
    page("#/overview", "overview");
    b.await(By.cssSelector("#chart .uplot"));
    JsonNode r = world.s.get("/api/v1/overview", world.admin).json().get("response");
    // the active campaign with its institutions, the open cases with their tasks, decisions in force
    WebElement c = b.await(By.cssSelector("#active-campaigns .item[data-id='" + campaign + "']"));
    JsonNode rc = r.get("campaigns").get("items").get(0);
    assertThat(rc.get("id").asLong()).isEqualTo(campaign);
    for (JsonNode inst : rc.get("named")) {
      assertThat(c.getText()).contains(inst.asText());
    }
    List<String> cases = b.driver.findElements(By.cssSelector("#open-cases .item")).stream()
        .map(tr -> tr.getAttribute("data-id")).toList();
    assertThat(cases).contains(Long.toString(campaignCase), Long.toString(incidentCase));
    JsonNode tasks = world.s.get("/api/v1/cases/" + campaignCase + "/tasks", world.admin).json().get("items");
    long done = 0;
    long skipped = 0;
    for (JsonNode t : tasks) {
      done += t.get("status").asText().equals("done") ? 1 : 0;
      skipped += t.get("status").asText().equals("skipped") ? 1 : 0;
    }
    assertThat(b.driver.findElement(By.cssSelector("#open-cases .item[data-id='" + campaignCase + "'] .progress"))
        .getText()).isEqualTo(done + "/" + (tasks.size() - skipped) + " tasks done");
    long inForce = world.s.get("/api/v1/decisions?active=true&limit=1&institution=uprava", world.admin).json()
        .get("total").asLong();
    assertThat(b.driver.findElement(By.cssSelector("#decisions-in-force tr[data-institution='uprava'] td.num"))
        .getText()).isEqualTo(String.format(java.util.Locale.ROOT, "%,d", inForce));
    String first = (String) b.js("return document.documentElement.dataset.theme");
    shot("overview-" + first);
    b.unready();
    b.driver.findElement(By.id("theme")).click();
    b.ready("overview");
    b.await(By.cssSelector("#chart .uplot"));
    b.await(By.cssSelector("#active-campaigns"));
    shot("overview-" + b.js("return document.documentElement.dataset.theme"));
    b.unready();
    b.driver.findElement(By.id("theme")).click();
    b.ready("overview");
  }

  static JsonNode bouncer(String path, String key) {
    TestServer.Response r = world.s.send("GET", path, null, null, null, "X-Api-Key", key);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static WebElement card(long task) {
    return b.driver.findElement(By.cssSelector("#task-board .task[data-id='" + task + "']"));
  }

  /** Waits until the task's card is drawn in the column of {@code status}. */
  static void awaitCard(long task, String status) {
    b.await(By.cssSelector("#task-board .column[data-status='" + status + "'] .task[data-id='" + task + "']"));
  }

  static JsonNode task(long caseId, long task) {
    return world.s.get("/api/v1/cases/" + caseId + "/tasks", world.admin).json().findParents("id").stream()
        .filter(t -> t.get("id").asLong() == task && t.has("status")).findFirst().orElseThrow();
  }

  static void until(java.util.function.BooleanSupplier condition) {
    new WebDriverWait(b.driver, Duration.ofSeconds(20)).until(d -> condition.getAsBoolean());
  }

  @Test
  @Order(20)
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
    // what is being done, of its own institution only: neither the national CERT's case nor uprava's decisions
    b.await(By.id("response"));
    assertThat(b.driver.findElements(By.cssSelector("#open-cases .item")).stream()
        .map(tr -> tr.getAttribute("data-id"))).doesNotContain(Long.toString(campaignCase));
    assertThat(b.driver.findElements(By.cssSelector("#decisions-in-force tbody tr")).stream()
        .map(tr -> tr.getAttribute("data-institution"))).allMatch(mine::equals);
    assertThat(b.driver.findElement(By.id("active-campaigns")).getText()).contains(mine);
    for (String hitToo : world.hit) {
      if (!hitToo.equals(mine)) {
        assertThat(b.driver.findElement(By.id("active-campaigns")).getText()).doesNotContain(hitToo);
      }
    }
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
    // the campaign: only this institution's hosts, in the table and the graph; no other institution's name
    JsonNode c = world.s.get("/api/v1/campaigns/" + campaign, world.admin).json();
    page("#/campaigns/" + campaign, "campaign");
    b.await(By.cssSelector("#campaign-graph canvas"));
    assertThat(b.driver.findElements(By.cssSelector("#campaign-hosts tbody tr")).stream()
        .map(tr -> tr.getAttribute("data-institution")).distinct().toList()).containsExactly(mine);
    assertThat(b.driver.findElement(By.id("campaign-graph")).getAttribute("data-nodes").split("\n"))
        .filteredOn(n -> n.startsWith("i:") || n.startsWith("h:")).allMatch(n -> n.startsWith("i:" + mine)
            || n.startsWith("h:" + mine + "/"));
    String text = b.driver.findElement(By.id("main")).getText();
    for (JsonNode h : c.get("members")) {
      if (!h.get("institution").asText().equals(mine)) {
        assertThat(text).doesNotContain(h.get("host").asText());
      }
    }
    shot("campaign-institution");
    // cases: the national CERT's campaign case and another institution's case are not found
    page("#/cases/" + campaignCase, "case");
    assertThat(b.await(By.cssSelector("#main .error")).getText()).isEqualTo("Not found.");
    page("#/cases/" + incidentCase, "case");
    assertThat(b.await(By.cssSelector("#main .error")).getText()).isEqualTo("Not found.");
    page("#/cases", "cases");
    assertThat(b.driver.findElements(By.cssSelector("#cases tbody tr"))).isEmpty();
    signOut();
    // an institution the actor did not reach: the campaign is not found, and none of its hosts shows
    String outside = world.institutions.stream().filter(i -> !world.hit.contains(i)).findFirst().orElseThrow();
    signIn("ana-" + outside, DemoWorld.password("ana-" + outside));
    page("#/campaigns/" + campaign, "campaign");
    assertThat(b.await(By.cssSelector("#main .error")).getText()).isEqualTo("Not found.");
    String shown = b.driver.findElement(By.id("main")).getText();
    c.get("members").forEach(h -> assertThat(shown).doesNotContain(h.get("host").asText()));
    page("#/campaigns", "campaigns");
    assertThat(b.driver.findElements(By.cssSelector("#campaigns tbody tr"))).isEmpty();
    signOut();
  }
}
