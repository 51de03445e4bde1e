package io.stackcompanion.recorder;

import static io.stackcompanion.recorder.TestRecordings.SECOND;
import static io.stackcompanion.recorder.TestRecordings.T0;
import static io.stackcompanion.recorder.TestRecordings.metadata;
import static io.stackcompanion.recorder.TestRecordings.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsAndExportTest {

    @TempDir
    Path tmp;

    private Path dir;
    private final byte[] binary = {(byte) 0xC3, 0x28, 0x00, 0x7F}; // not UTF-8

    @BeforeEach
    void record() {
        dir = tmp.resolve("node");
        TestRecordings.ManualNanos mono = new TestRecordings.ManualNanos();
        RecordingClock clock = RecordingClock.of(T0, mono);
        try (Recorder recorder = Recorder.open(dir, metadata("node", clock), clock)) {
            recorder.append(EventKind.STARTED, List.of(), new byte[0]);
            mono.advance(SECOND);
            recorder.append(EventKind.INCOMING, List.of("Beta"), utf8("{\"op\":\"PREPARE\",\"viewNo\":2}"));
            recorder.append(EventKind.INCOMING, List.of("Gamma"), binary);
            recorder.append(EventKind.OUTGOING, List.of("Beta", "Gamma"), utf8("not json"));
            mono.advance(2 * SECOND);
            recorder.append(EventKind.STOPPED, List.of(), new byte[0]);
        }
    }

    @Test
    void statsCountKindsTimesAndBytes() {
        try (RecordingReader reader = RecordingReader.open(dir)) {
            RecordingStats stats = RecordingStats.of(reader);
            assertThat(stats.events()).isEqualTo(5);
            assertThat(stats.eventsPerKind()).containsExactly(
                    java.util.Map.entry(EventKind.INCOMING, 2L), java.util.Map.entry(EventKind.OUTGOING, 1L),
                    java.util.Map.entry(EventKind.STARTED, 1L), java.util.Map.entry(EventKind.STOPPED, 1L));
            assertThat(stats.first()).map(EventKey::timeNanos).contains(T0);
            assertThat(stats.last()).map(EventKey::timeNanos).contains(T0 + 3 * SECOND);
            assertThat(stats.span()).isEqualTo(Duration.ofSeconds(3));
            assertThat(stats.payloadBytes()).isEqualTo(27 + 4 + 8);
            assertThat(stats.bytesOnDisk()).isPositive();
            assertThat(stats.toJson().get("events").asLong()).isEqualTo(5);
            assertThat(stats.toJson().get("metadata").get("nodeName").asText()).isEqualTo("Alpha");
        }
    }

    @Test
    void exportWritesOneValidJsonObjectPerEvent() throws Exception {
        StringWriter out = new StringWriter();
        try (RecordingReader reader = RecordingReader.open(dir)) {
            assertThat(new JsonLinesExporter().export(reader, out)).isEqualTo(5);
        }
        String[] lines = out.toString().split("\n");
        assertThat(lines).hasSize(5);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode[] json = new JsonNode[5];
        for (int i = 0; i < 5; i++) {
            json[i] = mapper.readTree(lines[i]);
            assertThat(json[i].isObject()).isTrue();
        }
        assertThat(json[0].get("time").asText()).isEqualTo(EventKey.instantOf(T0).toString());
        assertThat(json[0].get("timeNanos").asLong()).isEqualTo(T0);
        assertThat(json[0].get("kind").asText()).isEqualTo("STARTED");
        assertThat(json[1].get("peers").get(0).asText()).isEqualTo("Beta");
        assertThat(json[1].get("payload").get("viewNo").asInt()).as("JSON payload embedded as JSON").isEqualTo(2);
        assertThat(json[2].get("payload").get("base64").asText()).isEqualTo(Base64.getEncoder().encodeToString(binary));
        assertThat(json[3].get("payload").get("base64").asText()).isEqualTo(Base64.getEncoder().encodeToString(utf8("not json")));
        assertThat(json[3].get("seq").asLong()).isEqualTo(3);
    }

    @Test
    void aCustomDecoderIsUsedAndItsFailuresDoNotStopTheExport() throws Exception {
        JsonLinesExporter exporter = new JsonLinesExporter(payload -> {
            if (payload.length == 4) {
                throw new IllegalArgumentException("bad frame");
            }
            return TextNode.valueOf("decoded " + payload.length);
        });
        StringWriter out = new StringWriter();
        try (RecordingReader reader = RecordingReader.open(dir)) {
            exporter.export(reader, out);
        }
        String[] lines = out.toString().split("\n");
        ObjectMapper mapper = new ObjectMapper();
        assertThat(mapper.readTree(lines[1]).get("payload").asText()).isEqualTo("decoded 27");
        assertThat(mapper.readTree(lines[2]).get("decodeError").asText()).isEqualTo("bad frame");
        assertThat(mapper.readTree(lines[2]).get("payload").get("base64").asText()).isNotEmpty();
    }
}
