package io.stackcompanion.replay;

import io.stackcompanion.node.message.Codec;
import io.stackcompanion.sim.DstMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
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
 * The client history's HTML view ({@code dst.sh check FILE --html OUT.html}) opened in a real
 * headless Chromium: a history changed by hand so that two CAS from "a" both applied, and the same
 * history without the second, as a user sees them. Screenshots go to {@code target/}.
 */
class HistoryBrowserTest {
    private static final String PUT_A = "{\"client\":\"c1\",\"op\":\"PUT\",\"key\":\"k3\",\"input\":{\"value\":\"a\"},\"output\":null,"
            + "\"invoke\":1000000,\"return\":2000000,\"seqNo\":17}\n";
    private static final String GET_A = "{\"client\":\"c2\",\"op\":\"GET\",\"key\":\"k3\",\"input\":{},\"output\":{\"value\":\"a\"},"
            + "\"invoke\":2500000,\"return\":3000000}\n";
    private static final String CAS_B = "{\"client\":\"c1\",\"op\":\"CAS\",\"key\":\"k3\",\"input\":{\"expected\":\"a\",\"value\":\"b\"},"
            + "\"output\":{\"applied\":true},\"invoke\":4000000,\"return\":5000000}\n";
    /** c2's CAS from "a", also applied: after c1's it cannot be, so no order explains it (line 4). */
    private static final String CAS_C = "{\"client\":\"c2\",\"op\":\"CAS\",\"key\":\"k3\",\"input\":{\"expected\":\"a\",\"value\":\"c\"},"
            + "\"output\":{\"applied\":true},\"invoke\":4100000,\"return\":5100000}\n";
    private static final String NO_REPLY = "{\"client\":\"c3\",\"op\":\"PUT\",\"key\":\"k1\",\"input\":{\"value\":\"q\"},\"output\":null,"
            + "\"invoke\":4100000,\"return\":null}\n";

    @TempDir
    static Path tmp;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        browser = Browser.start(tmp);
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void aFailingKeyShowsALanePerClientAndTheJumpHighlightsTheBlockedOperation() throws Exception {
        Path page = check("failing", PUT_A + GET_A + CAS_B + CAS_C + NO_REPLY, 1);
        assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("NOT LINEARIZABLE");
        assertThat(js("return HV.keys()")).isEqualTo(List.of("k1", "k3"));
        assertThat(js("return HV.lanes('k3')")).isEqualTo(List.of("c1", "c2"));
        assertThat(js("return HV.lanes('k1')")).isEqualTo(List.of("c3"));
        assertThat(bar(1).getText()).isEqualTo("PUT \"a\"");
        assertThat(bar(2).getText()).isEqualTo("GET -> \"a\"");
        assertThat(bar(3).getText()).isEqualTo("CAS \"a\"->\"b\" applied");
        assertThat(bar(5).getAttribute("class")).contains("noreply");

        WebElement jump = browser.findElement(By.id("jump"));
        assertThat(jump.isDisplayed()).isTrue();
        jump.click();
        assertThat(browser.findElements(By.cssSelector(".bar.blocked"))).singleElement()
                .satisfies(b -> assertThat(b.getAttribute("data-line")).isEqualTo("4"));
        assertThat(browser.findElement(By.id("error-title")).getText()).isEqualTo("key k3: no order explains line 4");
        // the longest order, numbered on the bars: the PUT, the GET, c1's CAS
        assertThat(bar(1).getText()).isEqualTo("1PUT \"a\"");
        assertThat(bar(2).getText()).isEqualTo("2GET -> \"a\"");
        assertThat(bar(3).getText()).isEqualTo("3CAS \"a\"->\"b\" applied");
        assertThat(browser.findElement(By.id("next")).getText())
                .isEqualTo("line 4: c2 CAS k3 \"a\"->\"c\" -> applied\nit applied, but the key holds \"b\", not the expected \"a\"");
        // the blocked operation's history line, as the file has it
        assertThat(browser.findElement(By.id("op-title")).getText()).isEqualTo("line 4: c2 CAS \"a\"->\"c\" applied");
        assertThat(Codec.tree(browser.findElement(By.id("op-line")).getText().getBytes(StandardCharsets.UTF_8)).path("line").asInt())
                .isEqualTo(4);
        Browser.screenshot(browser, "history-failing.png");

        bar(2).click();
        assertThat(browser.findElement(By.id("op-title")).getText()).isEqualTo("line 2: c2 GET -> \"a\"");
        assertFetchedOnly(page);
    }

    @Test
    void aLinearizableHistoryHasNoJumpButton() throws Exception {
        Path page = check("linearizable", PUT_A + GET_A + CAS_B + NO_REPLY, 0);
        assertThat(browser.findElement(By.id("verdict")).getText()).isEqualTo("LINEARIZABLE");
        assertThat(browser.findElement(By.id("jump")).isDisplayed()).isFalse();
        assertThat(browser.findElements(By.cssSelector(".bar"))).hasSize(4);
        // zoom and pan keep every bar in place relative to the axis; fit shows them all again
        browser.findElement(By.id("zoomin")).click();
        browser.findElement(By.id("right")).click();
        browser.findElement(By.id("fit")).click();
        Browser.screenshot(browser, "history-linearizable.png");
        assertFetchedOnly(page);
    }

    /** {@code dst.sh check FILE --html OUT.html} in this JVM, then the page opened. */
    private static Path check(String name, String history, int exitCode) throws Exception {
        Path h = Files.writeString(tmp.resolve(name + ".jsonl"), history);
        Path page = tmp.resolve(name + ".html");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DstMain.run(new String[] {"check", h.toString(), "--html", page.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(out + "" + err).isEqualTo(exitCode);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("wrote " + page);
        browser.get(page.toUri().toString());
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> js("return window.HV && (HV.ready || HV.error !== null)"));
        assertThat(js("return HV.error")).as("the page's own error").isNull();
        return page;
    }

    private static WebElement bar(int line) {
        return browser.findElement(By.cssSelector(".bar[data-line='" + line + "']"));
    }

    /** Nothing but history pages was requested since the last look at the browser's network log, {@code page} among them. */
    private static void assertFetchedOnly(Path page) {
        assertThat(((Number) js("return performance.getEntriesByType('resource').length")).intValue()).isZero();
        assertThat(Browser.requestedUrls(browser))
                .allMatch(u -> u.startsWith(tmp.toUri().toString()) && u.endsWith(".html"), "only the history pages")
                .contains(page.toUri().toString());
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }
}
