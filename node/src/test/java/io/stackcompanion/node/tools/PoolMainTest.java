package io.stackcompanion.node.tools;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.client.Client;
import io.stackcompanion.node.client.FakeNodeServer;
import io.stackcompanion.node.client.FakePool;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PoolMainTest {
    @TempDir
    Path dir;

    /** One run of the command: its exit code and what it printed. */
    record Run(int exit, String out, String err) {
        String lastLine() {
            List<String> lines = out.lines().toList();
            return lines.get(lines.size() - 1);
        }

        JsonNode json() {
            return Codec.tree(lastLine().getBytes(StandardCharsets.UTF_8));
        }
    }

    static Run pool(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = PoolMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void initThenInitAgainReusesThePool() {
        Run first = pool("init", "--base-dir", dir.toString(), "--nodes", "4", "--random-ports");
        Run second = pool("init", "--base-dir", dir.toString(), "--nodes", "4", "--random-ports");
        Run other = pool("init", "--base-dir", dir.toString(), "--nodes", "5", "--random-ports");
        Run noCount = pool("init", "--base-dir", dir.toString());

        assertThat(first.exit()).isZero();
        assertThat(first.out()).contains("created a pool of 4 nodes");
        assertThat(second.exit()).isZero();
        assertThat(second.out()).contains("reusing the existing pool");
        assertThat(noCount.exit()).isZero();
        assertThat(noCount.out()).contains("reusing the existing pool of 4 nodes");
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err().lines()).hasSize(1).first().asString().contains("has 4 nodes, not 5");
    }

    @Test
    void badArgumentsGetOneLineAndExit2() {
        assertThat(pool("init", "--base-dir", dir.toString(), "--base-port", "65534")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("pool: ports 65534..65541 are not all valid TCP ports").hasLineCount(1);
        });
        assertThat(pool("init", "--base-dir", dir.toString(), "--base-port", "9701", "--random-ports").err())
                .contains("either --base-port or --random-ports");
        assertThat(pool("init", "--nodes", "four").err()).contains("--nodes must be a whole number");
        assertThat(pool("frobnicate").exit()).isEqualTo(2);
        assertThat(pool("status", "--bogus").exit()).isEqualTo(2);
        Run noGenesis = pool("status", "--base-dir", dir.toString());
        assertThat(noGenesis.exit()).isEqualTo(2);
        assertThat(noGenesis.err().lines()).hasSize(1).first().asString().contains("no pool genesis at");
    }

    @Test
    void aPoolSaysPlainlyHowManyFaultyNodesItTolerates() {
        for (int n = 1; n <= 8; n++) {
            Path base = dir.resolve("pool" + n);
            Run r = pool("init", "--base-dir", base.toString(), "--nodes", Integer.toString(n), "--random-ports");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("created a pool of " + n + " nodes");
            switch (n) {
                case 1 -> assertThat(r.err()).isEqualTo("warning: a pool of 1 node tolerates no faulty node (n = 3f+1, so f = 0):"
                        + " if any node stops or misbehaves, the pool stops ordering; use --nodes 4 or more to tolerate one\n");
                case 2, 3 -> assertThat(r.err()).startsWith("warning: a pool of " + n + " nodes tolerates no faulty node").hasLineCount(1);
                case 4, 7 -> assertThat(r.err()).isEmpty();
                case 5, 6 -> assertThat(r.err()).isEqualTo("note: a pool of " + n + " nodes tolerates 1 faulty node, as 4 do"
                        + " (n = 3f+1, so f = 1); 7 nodes would tolerate 2\n");
                default -> assertThat(r.err()).isEqualTo("note: a pool of 8 nodes tolerates 2 faulty nodes, as 7 do"
                        + " (n = 3f+1, so f = 2); 10 nodes would tolerate 3\n");
            }
            // Said again when the pool is reused, whatever its size.
            assertThat(pool("init", "--base-dir", base.toString()).err()).isEqualTo(r.err());
        }
    }

    @Test
    void numbersOutOfRangeAreRefusedInTheScriptsWords() {
        assertThat(pool("init", "--base-dir", dir.toString(), "--nodes", "0").err())
                .isEqualTo("pool: --nodes must be a whole number from 1 to 100, not '0'\n");
        assertThat(pool("init", "--base-dir", dir.toString(), "--nodes", "101").err()).contains("from 1 to 100, not '101'");
        assertThat(pool("init", "--base-dir", dir.toString(), "--base-port", "70000").err())
                .contains("--base-port must be a whole number from 1 to 65535, not '70000'");
        assertThat(pool("status", "--base-dir", dir.toString(), "--timeout-ms", "-1").exit()).isEqualTo(2);
        assertThat(dir.resolve("pool_genesis.json")).doesNotExist();
    }

    @Test
    void statusJsonListsEveryNodeAndMarksTheSilentOneNotRunning() throws Exception {
        try (FakePool fake = FakePool.start(4)) {
            fake.writeGenesis(dir);
            try (Client c = Client.create(fake.genesis())) {
                c.submit(Operation.put("k", "v")).get(10, TimeUnit.SECONDS);
            }
            fake.node(3).close();

            Run r = pool("status", "--base-dir", dir.toString(), "--json", "--timeout-ms", "2000");

            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("NODE").contains("Node3    no");
            JsonNode json = r.json();
            assertThat(json.get("agree").asBoolean()).isTrue();
            JsonNode nodes = json.get("nodes");
            assertThat(nodes).hasSize(4);
            JsonNode n1 = nodes.get(0);
            assertThat(n1.get("name").asText()).isEqualTo("Node1");
            assertThat(n1.get("running").asBoolean()).isTrue();
            assertThat(n1.get("viewNo").asInt()).isZero();
            assertThat(n1.get("primary").asText()).isEqualTo("Node1");
            assertThat(n1.get("lastOrderedPpSeqNo").asLong()).isEqualTo(1);
            assertThat(n1.get("ledgerSize").asLong()).isEqualTo(1);
            assertThat(n1.get("ledgerRoot").asText()).isEqualTo(fake.ledger().root());
            assertThat(n1.get("connected")).extracting(JsonNode::asText).containsExactly("Node2", "Node3", "Node4");
            assertThat(nodes.get(2).get("name").asText()).isEqualTo("Node3");
            assertThat(nodes.get(2).get("running").asBoolean()).isFalse();
        }
    }

    @Test
    void statusSaysTheLedgersDisagreeWhenOneNodeHasAnotherLedger() throws Exception {
        try (FakePool fake = FakePool.start(3);
             FakeNodeServer stray = new FakeNodeServer("Node4", new FakeNodeServer.Ledger(), FakeNodeServer.Behaviour.HONEST)) {
            try (Client c = Client.create(fake.genesis())) {
                c.submit(Operation.put("k", "v")).get(10, TimeUnit.SECONDS);
            }
            List<NodeInfo> nodes = new ArrayList<>(fake.genesis().nodes());
            nodes.add(new NodeInfo("Node4", "127.0.0.1", 1, stray.port(), nodes.get(0).publicKey()));
            new PoolGenesis(nodes).write(dir.resolve(PoolGenesis.FILE_NAME));

            Run r = pool("status", "--base-dir", dir.toString(), "--json");

            assertThat(r.json().get("agree").asBoolean()).isFalse();
            assertThat(r.out()).contains("ledgers DO NOT agree");
        }
    }

    @Test
    void waitConnectedSucceedsWhenEveryNodeSeesAllOthers() throws Exception {
        try (FakePool fake = FakePool.start(4)) {
            fake.writeGenesis(dir);

            Run r = pool("wait-connected", "--base-dir", dir.toString(), "--timeout-s", "5");

            assertThat(r.exit()).isZero();
        }
    }

    @Test
    void waitConnectedNamesWhoMissesWhom() throws Exception {
        try (FakePool fake = FakePool.start(4)) {
            fake.writeGenesis(dir);
            fake.node(2).peers(List.of("Node1", "Node3"));
            fake.node(4).close();

            Run r = pool("wait-connected", "--base-dir", dir.toString(), "--timeout-s", "1");

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().lines()).hasSize(1).first().asString()
                    .contains("Node2 misses Node4").contains("Node4 is not running");
        }
    }

    @Test
    void pingSaysWhetherOneNodeAnswers() throws Exception {
        try (FakePool fake = FakePool.start(4)) {
            fake.writeGenesis(dir);
            fake.node(2).close();

            assertThat(pool("ping", "--base-dir", dir.toString(), "--node", "Node1").exit()).isZero();
            Run down = pool("ping", "--base-dir", dir.toString(), "--node", "Node2");
            assertThat(down.exit()).isEqualTo(1);
            assertThat(down.err()).startsWith("pool: Node2 at 127.0.0.1:").contains("is not answering");
            Run unknown = pool("ping", "--base-dir", dir.toString(), "--node", "Node7");
            assertThat(unknown.exit()).isEqualTo(2);
            assertThat(unknown.err()).contains("its nodes are Node1, Node2, Node3, Node4");
        }
    }
}
