package io.stackcompanion.node.scripts;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Codec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's commands on a real pool of four JVM processes: up, load, status, down, and the
 * faults an operator can cause. Every node started here is stopped here, also on failure.
 */
class PoolScriptsTest {
    @TempDir
    Path dir;

    @AfterEach
    void down() throws Exception {
        Scripts.downAndSweep(dir);
    }

    @Test
    void upLoadStatusDownOnFourProcesses() throws Exception {
        Scripts.Result up = Scripts.run(300, "pool.sh", "up", "--base-dir", dir.toString(), "--random-ports");
        assertThat(up.exitCode()).as(up.toString()).isZero();

        Scripts.Result load = Scripts.run(300, "load.sh", "--base-dir", dir.toString(), "--requests", "2000",
                "--clients", "4", "--json");
        assertThat(load.exitCode()).as(load.toString()).isZero();
        JsonNode summary = Codec.mapper().readTree(load.lastLine());
        assertThat(summary.get("ordered").asLong()).isEqualTo(2000);
        assertThat(summary.get("failed").asLong()).isZero();

        // A mix of PUT, GET and CAS on three keys, with its client history (few in flight, so a client
        // often knows the current value and some CAS apply).
        Path history = dir.resolve("history.jsonl");
        Scripts.Result mixed = Scripts.run(300, "load.sh", "--base-dir", dir.toString(), "--requests", "300",
                "--clients", "3", "--in-flight", "4", "--mix", "put=50,get=30,cas=20", "--keys", "3", "--history", history.toString(),
                "--json");
        assertThat(mixed.exitCode()).as(mixed.toString()).isZero();
        assertThat(Codec.mapper().readTree(mixed.lastLine()).get("ordered").asLong()).isEqualTo(300);
        assertHistory(history, 300, 2000);

        // A frame no client may send, on a real socket to Node2's client port: its core rejects it, counts
        // it and closes the connection (read to the end, so the count is in before status asks).
        sendMalformedFrame(PoolGenesis.read(dir.resolve(PoolGenesis.FILE_NAME)).node("Node2").orElseThrow());

        Scripts.Result status = Scripts.run(120, "pool.sh", "status", "--base-dir", dir.toString(), "--json");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.stdout()).contains("Node2 rejected: clients malformed 1\n");
        JsonNode nodes = Codec.mapper().readTree(status.lastLine()).get("nodes");
        assertThat(nodes).hasSize(4);
        List<String> roots = new ArrayList<>();
        for (JsonNode n : nodes) {
            assertThat(n.get("running").asBoolean()).as(n.toString()).isTrue();
            assertThat(n.get("ledgerSize").asLong()).as(n.toString()).isEqualTo(2300);
            roots.add(n.get("ledgerRoot").asText());
            JsonNode expected = Codec.mapper().readTree(n.get("name").asText().equals("Node2") ? "{\"clients\":{\"malformed\":1}}" : "{}");
            assertThat(n.get("rejected")).as(n.toString()).isEqualTo(expected);
        }
        assertThat(roots).containsOnly(roots.get(0));
        assertThat(Files.readString(dir.resolve("data").resolve("Node2").resolve("node.log")))
                .contains("rejected clients malformed: 127.0.0.1:");
        // One log per node, in its data folder.
        for (String n : List.of("Node1", "Node2", "Node3", "Node4")) {
            assertThat(Files.readString(dir.resolve("data").resolve(n).resolve("node.log"))).contains(n + " started");
        }

        Scripts.Result down = Scripts.run(120, "pool.sh", "down", "--base-dir", dir.toString());
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString()))).isEmpty();
    }

    private static void sendMalformedFrame(NodeInfo node) throws Exception {
        try (Socket s = new Socket(node.host(), node.clientPort())) {
            s.setSoTimeout(60_000);
            byte[] payload = "{\"op\":\"NOT_A_MESSAGE\"}".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(ByteBuffer.allocate(4 + payload.length).putInt(payload.length).put(payload).array());
            s.getOutputStream().flush();
            assertThat(s.getInputStream().read()).as("the node closes the connection").isEqualTo(-1);
        }
    }

    /**
     * The history of a load whose every request was ordered: the documented format, one line per
     * request, invoke <= return, every op at its own ledger place after the {@code before} earlier
     * ones, and each GET's value the last write ordered before it (the ledger order is the order).
     */
    private static void assertHistory(Path file, int requests, long before) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            lines.add(Codec.mapper().readTree(line));
        }
        assertThat(lines).hasSize(requests);
        java.util.TreeMap<Long, JsonNode> bySeqNo = new java.util.TreeMap<>();
        for (JsonNode op : lines) {
            assertThat(op.properties().stream().map(java.util.Map.Entry::getKey).toList()).as(op.toString())
                    .containsExactly("client", "op", "key", "input", "output", "invoke", "return", "seqNo");
            assertThat(op.get("client").asText()).matches("c[1-3]");
            assertThat(op.get("key").asText()).matches("k[0-2]");
            assertThat(op.get("invoke").asLong()).as(op.toString()).isLessThanOrEqualTo(op.get("return").asLong());
            switch (op.get("op").asText()) {
                case "PUT" -> {
                    assertThat(fieldNames(op.get("input"))).containsExactly("value");
                    assertThat(op.get("output").isNull()).isTrue();
                }
                case "GET" -> {
                    assertThat(fieldNames(op.get("input"))).isEmpty();
                    assertThat(fieldNames(op.get("output"))).containsExactly("value");
                }
                case "CAS" -> {
                    assertThat(fieldNames(op.get("input"))).containsExactly("expected", "value");
                    assertThat(op.get("output").get("applied").isBoolean()).isTrue();
                }
                default -> throw new AssertionError("unknown op " + op);
            }
            assertThat(bySeqNo.put(op.get("seqNo").asLong(), op)).as("two ops at one ledger place").isNull();
        }
        assertThat(bySeqNo.firstKey()).isEqualTo(before + 1);
        assertThat(bySeqNo.lastKey()).isEqualTo(before + requests);
        java.util.Map<String, String> state = new java.util.HashMap<>();
        for (JsonNode op : bySeqNo.values()) {
            String key = op.get("key").asText();
            switch (op.get("op").asText()) {
                case "PUT" -> state.put(key, op.get("input").get("value").asText());
                case "GET" -> assertThat(op.get("output").get("value").isNull() ? null : op.get("output").get("value").asText())
                        .as(op.toString()).isEqualTo(state.get(key));
                default -> {
                    boolean equal = op.get("input").get("expected").asText().equals(state.get(key));
                    assertThat(op.get("output").get("applied").asBoolean()).as(op.toString()).isEqualTo(equal);
                    if (equal) {
                        state.put(key, op.get("input").get("value").asText());
                    }
                }
            }
        }
    }

    private static List<String> fieldNames(JsonNode o) {
        return o.properties().stream().map(java.util.Map.Entry::getKey).toList();
    }

    @Test
    void anUnknownNodeIsAOneLineErrorAndANonZeroExit() throws Exception {
        Scripts.Result up = Scripts.run(300, "pool.sh", "up", "--base-dir", dir.toString(), "--random-ports", "--nodes", "1");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        // A pool too small to tolerate a fault is made, as asked, and says so plainly.
        assertThat(up.stderr().lines().filter(l -> l.startsWith("warning: ")).toList()).containsExactly(
                "warning: a pool of 1 node tolerates no faulty node (n = 3f+1, so f = 0): if any node stops or misbehaves,"
                        + " the pool stops ordering; use --nodes 4 or more to tolerate one");
        Scripts.Result bad = Scripts.run(60, "pool.sh", "start", "Node9", "--base-dir", dir.toString());
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.stderr().strip()).startsWith("error: no node Node9").doesNotContain("\n").doesNotContain("Exception");
    }
}
