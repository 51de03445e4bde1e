package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code replay.sh ... --html FILE}: a diverging replay's page in a real headless Chromium. Node2 of
 * the fixture pool replayed as if its code refused every batch time not in the same millisecond
 * ({@code --set PP_TIME_TOLERANCE_MS=0}) sends no PREPARE where the recorded one did.
 */
class ReplayHtmlTest {
    @TempDir
    Path tmp;

    @Test
    void jumpToFirstDivergenceShowsTheEventWithExpectedAndActual() throws Exception {
        Path pool = RecordingFixtures.unpack("format3-pool.tgz", Files.createDirectories(tmp.resolve("pool")));
        Path page = tmp.resolve("replay.html");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = ReplayMain.run(new String[] {"--recording", pool.toString(), "--node", "Node2", "--set", "PP_TIME_TOLERANCE_MS=0",
                "--html", page.toString(), "--json"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err, false);
        assertThat(code).isEqualTo(1);
        JsonNode verdict = TimelineBrowserTest.lastJson(out.toString(StandardCharsets.UTF_8));
        long at = verdict.path("firstDivergence").path("eventIndex").asLong();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote " + page);

        ChromeDriver browser = Browser.start(tmp);
        try {
            browser.get(page.toUri().toString());
            JavascriptExecutor js = browser;
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> Boolean.TRUE.equals(js.executeScript("return !!(window.TL && TL.ready)")));
            assertThat(js.executeScript("return TL.lanes()")).isEqualTo(List.of("Node2 (recorded)", "Node2 (replayed)"));
            assertThat(browser.findElement(By.id("replay-outcome")).getText()).startsWith("DIVERGED at event " + at + " (");

            browser.findElement(By.id("jump")).click();
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("event-json")).getText().startsWith("{"));
            assertThat(browser.findElement(By.id("event-title")).getText()).startsWith("Node2 (recorded) #" + at + ": OUTGOING PREPARE");
            // the recorded event, as export prints it
            String[] export = TimelineBrowserTest.run("export", pool.resolve("data/Node2").toString(), "--from-index", Long.toString(at),
                    "--to-index", Long.toString(at));
            assertThat(browser.findElement(By.id("event-json")).getText()).isEqualTo(export[1].strip());
            // expected against actual, field by field: the recorded PREPARE, nothing replayed
            assertThat(browser.findElement(By.id("replay-reason")).getText()).isEqualTo(verdict.path("firstDivergence").path("reason").asText());
            List<WebElement> rows = browser.findElements(By.cssSelector("#diff tr.differs"));
            assertThat(rows).extracting(WebElement::getText)
                    .anyMatch(t -> t.startsWith("message.op \"PREPARE\" (none)"))
                    .anyMatch(t -> t.startsWith("message.ppSeqNo 1 (none)"));
            // the events fed just before it, the divergence last
            List<WebElement> recent = browser.findElements(By.cssSelector("#recent div"));
            assertThat(recent).isNotEmpty();
            assertThat(recent.get(recent.size() - 1).getText()).startsWith("#" + at + " NODE OUTGOING");
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "replay-divergence.png"), browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.quit();
        }
    }
}
