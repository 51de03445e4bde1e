package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.timeline.PoolEvents;
import io.stackcompanion.node.tools.RecordingMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool's HTML timeline ({@code recording.sh timeline}) opened in a real headless Chromium, on
 * the pool recorded in {@code recordings/format3-pool.tgz} (a view change after the primary's
 * SIGKILL, a restart, catch-up): what a user sees there. Screenshots go to {@code target/} for a
 * human to look at.
 */
class TimelineBrowserTest {
    @TempDir
    static Path tmp;
    static Path pool;
    static Path page;
    static ChromeDriver browser;
    static int matched;

    @BeforeAll
    static void writeAndOpen() throws Exception {
        pool = RecordingFixtures.unpack("format3-pool.tgz", Files.createDirectories(tmp.resolve("pool")));
        String[] verify = run("verify", "--pool", pool.toString(), "--json");
        assertThat(verify[0]).as(verify[1]).isEqualTo("0");
        matched = lastJson(verify[1]).path("pool").path("matched").asInt();
        assertThat(matched).isGreaterThan(1000);
        page = tmp.resolve("timeline.html");
        String[] timeline = run("timeline", pool.toString(), "--out", page.toString());
        assertThat(timeline[0]).as(timeline[2]).isEqualTo("0");
        browser = Browser.start(tmp);
        browser.get(page.toUri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> Boolean.TRUE.equals(js("return window.TL && (TL.ready || TL.error)"))
                && js("return TL.error") == null || js("return TL.error") != null);
        assertThat(js("return TL.error")).as("the page's own error").isNull();
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void showsALanePerNodeAndAnArrowPerMatchedMessage() throws Exception {
        js("TL.fit()");
        assertThat(js("return TL.lanes()")).isEqualTo(List.of("Node1", "Node2", "Node3", "Node4"));
        String summary = browser.findElement(By.id("summary")).getText();
        assertThat(summary).startsWith("4 lanes, 4,330 events, " + String.format("%,d", matched) + " arrows (matched messages");
        assertThat(((Number) js("return TL.arrowCount()")).intValue()).isEqualTo(matched);
        // all of them drawn when the whole recording is in view (fewer than the page's limit)
        assertThat(browser.findElement(By.id("status")).getText()).contains(matched + " arrows drawn");
        Browser.screenshot(browser, "timeline-pool.png");
    }

    @Test
    void clickingARequestHighlightsItsPropagatesBatchAndRepliesOnEveryLane() throws Exception {
        PoolEvents events = PoolEvents.read(pool, false);
        int request = -1;
        for (int i = 0; i < events.size() && request < 0; i++) {
            if (events.nodeOf(i).equals("Node2") && events.opName(i).equals("REQUEST") && events.kindName(i).equals("INCOMING")) {
                request = i;
            }
        }
        long index = events.indexOf(request);
        clickEvent("Node2", index);
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> !d.findElements(By.id("follow-title")).isEmpty()
                && d.findElement(By.id("event-json")).getText().startsWith("{"));
        assertThat(browser.findElement(By.id("follow-title")).getText()).startsWith("Following request ").contains("ordered in batch 0:");
        List<WebElement> lanes = browser.findElements(By.className("follow-lane"));
        assertThat(lanes).hasSize(4);
        for (WebElement lane : lanes) {
            String text = lane.getText();
            assertThat(text).as(text).contains("REQUEST in", "PROPAGATE", "PREPREPARE", "PREPARE", "COMMIT", "REPLY out");
        }
        // the clicked event, decoded: exactly the line recording.sh export prints for it
        String[] export = run("export", pool.resolve("data/Node2").toString(), "--from-index", Long.toString(index), "--to-index", Long.toString(index));
        assertThat(browser.findElement(By.id("event-json")).getText()).isEqualTo(export[1].strip());
        Browser.screenshot(browser, "timeline-request.png");
    }

    @Test
    void clickingAnyEventShowsItAsExportPrintsIt() throws Exception {
        // Node1's kill, as the restart recorded it, and a PRE-PREPARE of the new primary
        PoolEvents events = PoolEvents.read(pool, false);
        for (String wanted : List.of("UNCLEAN_STOP", "NEW_VIEW")) {
            int e = -1;
            for (int i = 0; i < events.size() && e < 0; i++) {
                if (events.nodeOf(i).equals("Node1") && (events.kindName(i).equals(wanted) || events.opName(i).equals(wanted))) {
                    e = i;
                }
            }
            long index = events.indexOf(e);
            clickEvent("Node1", index);
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("event-title")).getText().startsWith("Node1 #" + index + ":"));
            String[] export = run("export", pool.resolve("data/Node1").toString(), "--from-index", Long.toString(index), "--to-index", Long.toString(index));
            new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.findElement(By.id("event-json")).getText().equals(export[1].strip()));
        }
    }

    @Test
    void thePageFetchesNothing() {
        js("TL.fit()");
        assertThat(((Number) js("return performance.getEntriesByType('resource').length")).intValue()).isZero();
        // Every request the browser made since it started: the page alone.
        assertThat(Browser.requestedUrls(browser)).containsOnly(page.toUri().toString());
    }

    /** Brings the event into view and clicks where the page draws it, as a user would. */
    private static void clickEvent(String node, long index) {
        assertThat(js("return TL.showAround('" + node + "', " + index + ", 40)")).isEqualTo(true);
        @SuppressWarnings("unchecked")
        Map<String, Object> at = (Map<String, Object>) js("return TL.locate('" + node + "', " + index + ")");
        WebElement canvas = browser.findElement(By.id("canvas"));
        int x = (int) Math.round(((Number) at.get("x")).doubleValue() - canvas.getRect().getWidth() / 2.0);
        int y = (int) Math.round(((Number) at.get("y")).doubleValue() - canvas.getRect().getHeight() / 2.0);
        new Actions(browser).moveToElement(canvas, x, y).click().perform();
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /** {exit code, stdout, stderr} of {@code recording.sh ARGS}, in this JVM. */
    static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RecordingMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    static JsonNode lastJson(String out) throws Exception {
        String[] lines = out.strip().split("\n");
        return Codec.mapper().readTree(lines[lines.length - 1]);
    }
}
