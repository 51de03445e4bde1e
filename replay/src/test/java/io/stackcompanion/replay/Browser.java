package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.fail;

/**
 * A real headless Chromium for the HTML pages' tests: Debian's {@code chromium} and
 * {@code chromium-driver} packages, never a browser or driver downloaded at run time. Missing, the
 * test fails saying how to install them (CI's {@code .ci/run} does).
 */
final class Browser {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Browser() {
    }

    /** A headless Chromium with its own temporary profile under {@code tmp}, recording its network log. */
    static ChromeDriver start(Path tmp) throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("the browser tests need Chromium and its driver at " + CHROMIUM + " and " + CHROMEDRIVER
                    + "; install them: apt-get install -y chromium chromium-driver (.ci/run does)");
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1600,900", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    /**
     * Every URL the browser requested since the last call (its network log), but its own pages'
     * (chrome://, chrome-untrusted:// such as the new tab page Chromium 150 loads at start, about:) and
     * inline data: URLs (the browser's own, e.g. a drag image; nothing leaves the machine).
     */
    static List<String> requestedUrls(ChromeDriver browser) {
        List<String> urls = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode msg = Codec.tree(entry.getMessage().getBytes(StandardCharsets.UTF_8)).path("message");
            if (msg.path("method").asText().equals("Network.requestWillBeSent")) {
                String url = msg.path("params").path("request").path("url").asText();
                if (!url.startsWith("chrome://") && !url.startsWith("chrome-untrusted://") && !url.startsWith("about:")
                        && !url.startsWith("data:")) {
                    urls.add(url);
                }
            }
        }
        return urls;
    }

    /** Saves what the browser shows as {@code target/NAME}, for a human to look at. */
    static void screenshot(ChromeDriver browser, String name) throws Exception {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        Files.write(target, browser.getScreenshotAs(OutputType.BYTES));
    }
}
