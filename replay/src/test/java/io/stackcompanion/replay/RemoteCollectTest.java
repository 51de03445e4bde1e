package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.collect.Manifest;
import io.stackcompanion.node.collect.RecordingArchive;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.pool.LocalPool;
import io.stackcompanion.node.pool.LocalPoolExtension;
import io.stackcompanion.node.scripts.Scripts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code collect-recordings.sh --from USER@HOST:DIR} against a real OpenSSH server on loopback that
 * the test starts as the current user, with its own host key, user key and config.
 */
class RemoteCollectTest {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    @RegisterExtension
    static final LocalPoolExtension pools = new LocalPoolExtension();
    static LocalPool pool;
    static Path poolDir;

    @TempDir
    Path tmp;
    private Process sshd;
    private Map<String, String> env;
    private String user;

    @BeforeAll
    static void recordAPool() throws Exception {
        pool = pools.start(4, CollectRecordingsTest.RECORDING);
        poolDir = pool.baseDir();
        ReplayEndToEndTest.order(List.of(pool.newClient()), 50);
        pool.close();
    }

    @BeforeEach
    void startSshd() throws Exception {
        assumeTrue(Files.isExecutable(SSHD), "no " + SSHD + ": install Debian's openssh-server (.ci/run does when it can)");
        Path keys = Files.createDirectories(tmp.resolve("ssh"));
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("host_key").toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", keys.resolve("user_key").toString());
        Files.copy(keys.resolve("user_key.pub"), keys.resolve("authorized_keys"));
        if ("root".equals(System.getProperty("user.name"))) {
            Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation folder when started by root
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = keys.resolve("sshd_config");
        Files.writeString(config, String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + keys.resolve("host_key"),
                "AuthorizedKeysFile " + keys.resolve("authorized_keys"),
                "PidFile none",
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "Subsystem sftp /usr/lib/openssh/sftp-server",
                "LogLevel ERROR", ""));
        Path log = keys.resolve("sshd.log");
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean up = false;
        while (!up && sshd.isAlive() && System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                up = true;
            } catch (IOException e) {
                Thread.onSpinWait();
            }
        }
        assumeTrue(up, "sshd could not be started here: " + Files.readString(log).strip());
        user = System.getProperty("user.name");
        env = Map.of("SC_SSH_OPTS", "-F /dev/null -i " + keys.resolve("user_key") + " -o Port=" + port
                + " -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o LogLevel=ERROR");
    }

    @AfterEach
    void stopSshd() throws InterruptedException {
        if (sshd != null) {
            sshd.descendants().forEach(ProcessHandle::destroy);
            sshd.destroy();
            if (!sshd.waitFor(10, TimeUnit.SECONDS)) {
                sshd.destroyForcibly();
            }
        }
    }

    @Test
    void collectsAPoolOverSshIntoAnArchiveThatReplaysToAMatch() throws Exception {
        Path out = tmp.resolve("remote.tar.gz");
        String from = user + "@127.0.0.1:" + poolDir;
        Scripts.Result r = Scripts.run(180, env, "collect-recordings.sh", "--from", from, "--out", out.toString(), "--json");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        JsonNode summary = Codec.mapper().readTree(r.lastLine());
        assertThat(summary.get("nodes")).extracting(n -> n.get("name").asText()).containsExactly("Node1", "Node2", "Node3", "Node4");
        assertThat(summary.get("nodes").get(0).get("source").asText()).isEqualTo(from);

        Manifest m = RecordingArchive.unpack(out, Files.createDirectories(tmp.resolve("unpacked")));
        assertThat(m.poolGenesisHash()).isEqualTo(pool.genesis().hash());
        byte[] everything;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(out))) {
            everything = in.readAllBytes();
        }
        for (String node : pool.names()) {
            String key = Files.readString(poolDir.resolve("data").resolve(node).resolve("keys/node.key")).trim();
            byte[] der = Base64.getDecoder().decode(key);
            assertThat(CollectRecordingsTest.indexOf(everything, key.getBytes(StandardCharsets.US_ASCII))).isNegative();
            assertThat(CollectRecordingsTest.indexOf(everything, java.util.Arrays.copyOfRange(der, der.length - 32, der.length))).isNegative();
        }

        CollectRecordingsTest.Run replay = CollectRecordingsTest.replay("--recording", out.toString(), "--node", "Node3", "--json");
        assertThat(replay.exit()).as(replay.out() + replay.err()).isZero();
        assertThat(Codec.mapper().readTree(replay.out().strip().lines().reduce((a, b) -> b).orElseThrow())
                .get("matches").asBoolean()).isTrue();
    }

    @Test
    void anUnreachableHostOrAMissingFolderFailsAloneAndTheOtherNodesAreCollected() throws Exception {
        Path out = tmp.resolve("partial.tar.gz");
        Scripts.Result r = Scripts.run(180, env, "collect-recordings.sh", "--base-dir", poolDir.toString(),
                "--from", user + "@no-such-host.invalid:pool", "--from", user + "@127.0.0.1:/no/such/folder",
                "--out", out.toString(), "--json");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.stderr()).contains("error: cannot reach " + user + "@no-such-host.invalid over ssh (")
                .contains("error: " + user + "@127.0.0.1:/no/such/folder: no folder /no/such/folder on " + user + "@127.0.0.1;")
                .doesNotContain("\tat ");
        JsonNode summary = Codec.mapper().readTree(r.lastLine());
        assertThat(summary.get("nodes")).hasSize(4);
        assertThat(summary.get("failed")).hasSize(2);
        assertThat(RecordingArchive.unpack(out, Files.createDirectories(tmp.resolve("u"))).nodes()).hasSize(4);
    }

    @Test
    void aNodeRunningOnTheRemoteHostIsNotCopiedAndTheOthersAre() throws Exception {
        pool.start("Node4");
        try {
            Path out = tmp.resolve("running.tar.gz");
            Scripts.Result r = Scripts.run(180, env, "collect-recordings.sh", "--from", user + "@127.0.0.1:" + poolDir,
                    "--out", out.toString(), "--json");
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.stderr()).contains("error: Node4 is running on " + user + "@127.0.0.1: a file copy of a recording"
                    + " being written could be torn, so it was not collected;");
            assertThat(Codec.mapper().readTree(r.lastLine()).get("nodes")).extracting(n -> n.get("name").asText())
                    .containsExactly("Node1", "Node2", "Node3");
        } finally {
            pool.stop("Node4");
        }
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + " failed: " + out);
    }
}
