package io.stackcompanion.node.tools;

import io.stackcompanion.node.config.ConfigException;
import io.stackcompanion.node.config.NodeInfo;
import io.stackcompanion.node.config.PoolGenesis;
import io.stackcompanion.node.crypto.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolSetupTest {
    @TempDir
    Path dir;

    @Test
    void initCreatesAGenesisWithPublicKeysOnlyAndOwnerOnlySecretKeys() throws Exception {
        PoolSetup.InitResult r = PoolSetup.init(dir, 4, "127.0.0.1", OptionalInt.empty());

        assertThat(r.created()).isTrue();
        PoolGenesis genesis = PoolGenesis.read(dir.resolve("pool_genesis.json"));
        assertThat(genesis.names()).containsExactly("Node1", "Node2", "Node3", "Node4");
        assertThat(genesis.nodes().stream().flatMap(n -> java.util.stream.Stream.of(n.nodePort(), n.clientPort())).distinct())
                .hasSize(8);
        String genesisText = Files.readString(dir.resolve("pool_genesis.json"));
        for (NodeInfo n : genesis.nodes()) {
            Path key = dir.resolve("data").resolve(n.name()).resolve("keys").resolve("node.key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent()))).isEqualTo("rwx------");
            String secretBase64 = Files.readString(key).trim();
            assertThat(genesisText).doesNotContain(secretBase64);
            // the genesis names the public half of exactly this secret key
            PrivateKey secret = Keys.readPrivate(key);
            byte[] data = "proof".getBytes(StandardCharsets.UTF_8);
            assertThat(Keys.verify(Keys.decodePublic(n.publicKey()), data, Keys.sign(secret, data))).isTrue();
        }
    }

    @Test
    void initReusesAnExistingPoolAndLeavesItUntouched() throws Exception {
        PoolSetup.init(dir, 4, "127.0.0.1", OptionalInt.empty());
        byte[] genesisBefore = Files.readAllBytes(dir.resolve("pool_genesis.json"));
        byte[] keyBefore = Files.readAllBytes(PoolSetup.keyFile(dir, "Node1"));

        PoolSetup.InitResult again = PoolSetup.init(dir, 4, "127.0.0.1", OptionalInt.empty());

        assertThat(again.created()).isFalse();
        assertThat(Files.readAllBytes(dir.resolve("pool_genesis.json"))).isEqualTo(genesisBefore);
        assertThat(Files.readAllBytes(PoolSetup.keyFile(dir, "Node1"))).isEqualTo(keyBefore);
    }

    @Test
    void initRefusesANodeCountThatDisagreesWithTheExistingPool() throws Exception {
        PoolSetup.init(dir, 4, "127.0.0.1", OptionalInt.empty());

        assertThatThrownBy(() -> PoolSetup.init(dir, 7, "127.0.0.1", OptionalInt.empty()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("has 4 nodes, not 7").hasMessageContaining("--nodes 4");
    }

    @Test
    void initRefusesAPortInUseAndWritesNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> PoolSetup.init(dir, 4, "127.0.0.1", OptionalInt.of(port)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("port " + port + " (node port of Node1)")
                    .hasMessageContaining("--random-ports");
        }
        assertThat(dir.resolve("pool_genesis.json")).doesNotExist();
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void fixedPortsFollowTheDocumentedLayout() throws Exception {
        PoolGenesis genesis = initOnSomeFreeRange(dir, 3);
        int p = genesis.nodes().get(0).nodePort();

        assertThat(genesis.nodes()).extracting(NodeInfo::nodePort).containsExactly(p, p + 2, p + 4);
        assertThat(genesis.nodes()).extracting(NodeInfo::clientPort).containsExactly(p + 1, p + 3, p + 5);
        assertThat(genesis.nodes()).extracting(NodeInfo::host).containsOnly("127.0.0.1");
    }

    @Test
    void initRefusesNodeDataWithoutAGenesis() throws Exception {
        Files.createDirectories(dir.resolve("data/Node1/ledger"));

        assertThatThrownBy(() -> PoolSetup.init(dir, 4, "127.0.0.1", OptionalInt.empty()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("holds node data but no pool_genesis.json");
    }

    /** The OS decides what is free; try a few ranges near a port it just handed out. */
    private static PoolGenesis initOnSomeFreeRange(Path dir, int nodes) throws IOException {
        ConfigException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                base = Math.min(s.getLocalPort(), 65535 - 2 * nodes);
            }
            try {
                return PoolSetup.init(dir, nodes, "127.0.0.1", OptionalInt.of(base)).genesis();
            } catch (ConfigException e) {
                last = e;
            }
        }
        throw last;
    }
}
