package org.lovcen.server;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Test fixture: headless Chromium driven through chromedriver (the Debian packages chromium and
 * chromium-driver). Without them the test is skipped with a message, unless
 * {@code LOVCEN_REQUIRE_BROWSER=1} (CI), where their absence fails it. Nothing is downloaded.
 */
public final class Browser implements AutoCloseable {
  private static final List<String> BINARIES = List.of("/usr/lib/chromium/chromium", "/usr/bin/chromium",
      "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
  private static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

  public final ChromeDriver driver;
  private final String base;

  private Browser(ChromeDriver driver, String base) {
    this.driver = driver;
    this.base = base;
  }

  /** Starts headless Chromium for pages of {@code base}; skips the test when there is no browser. */
  public static Browser start(String base) {
    String binary = BINARIES.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    String driver = DRIVERS.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    boolean required = "1".equals(System.getenv("LOVCEN_REQUIRE_BROWSER"));
    String missing = binary == null ? "chromium" : driver == null ? "chromedriver (package chromium-driver)" : null;
    if (missing != null && required) {
      throw new AssertionError("LOVCEN_REQUIRE_BROWSER=1 but " + missing + " is not installed");
    }
    assumeTrue(missing == null, "browser tests skipped: " + missing + " is not installed "
        + "(apt-get install chromium chromium-driver)");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(binary);
    o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1440,900", "--force-device-scale-factor=1", "--lang=en-US", "--no-first-run",
        "--disable-extensions", "--disable-background-networking", "--disable-component-update");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driver).toFile())
        .usingAnyFreePort().build();
    ChromeDriver d = new ChromeDriver(service, o);
    d.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return new Browser(d, base);
  }

  /** Opens a path of the server ({@code /ui#/alerts}). */
  public void open(String path) {
    driver.get(base + path);
  }

  /** Sets the hash of the current page (a page change without reload). */
  public void hash(String hash) {
    ((JavascriptExecutor) driver).executeScript("location.hash = arguments[0]", hash);
  }

  public WebElement await(By by) {
    return new WebDriverWait(driver, Duration.ofSeconds(20)).until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  /** Waits until the page named {@code page} has drawn (main[data-ready]). */
  public void ready(String page) {
    new WebDriverWait(driver, Duration.ofSeconds(30)).pollingEvery(Duration.ofMillis(10)).until(d -> page.equals(
        d.findElement(By.id("main")).getAttribute("data-ready")));
  }

  /** Marks main as not drawn, so that {@link #ready} waits for the next page. */
  public void unready() {
    ((JavascriptExecutor) driver).executeScript("document.getElementById('main').dataset.ready = ''");
  }

  public List<WebElement> all(By by) {
    return driver.findElements(By.cssSelector("html")).isEmpty() ? List.of() : driver.findElements(by);
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Saves a screenshot of the window as {@code file}. */
  public void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
