package io.stackcompanion.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer killed with SIGKILL leaves a recording that opens and holds every acknowledged event. */
class SigkillTest {

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedEventSurvivesSigkill() throws Exception {
        Path dir = tmp.resolve("node");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                KillableWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        long acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            String line;
            while (acknowledged < 1000 && Instant.now().isBefore(deadline) && (line = out.readLine()) != null) {
                acknowledged = Long.parseLong(line.trim());
            }
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(acknowledged).as("the child appended before it was killed").isGreaterThanOrEqualTo(1000);

        List<RecordedEvent> events = TestRecordings.readAll(dir);
        assertThat(events.get(0).kind()).isEqualTo(EventKind.STARTED);
        assertThat((long) events.size() - 1).isGreaterThanOrEqualTo(acknowledged);
        for (int i = 1; i < events.size(); i++) {
            assertThat(new String(events.get(i).payload(), StandardCharsets.UTF_8)).isEqualTo("event-" + (i - 1));
        }
        assertThat(RecordingVerifier.verify(dir).ok()).isTrue();

        // The next run sees that the previous one did not stop cleanly, and continues after it.
        RecordingClock clock = RecordingClock.system();
        try (Recorder recorder = Recorder.open(dir, TestRecordings.metadata("node", clock), clock)) {
            assertThat(recorder.lastEventAtOpen()).map(RecordedEvent::kind).contains(EventKind.INCOMING);
            EventKey next = recorder.append(EventKind.UNCLEAN_STOP, List.of(), new byte[0]);
            assertThat(next).isGreaterThan(events.get(events.size() - 1).key());
        }
    }
}
