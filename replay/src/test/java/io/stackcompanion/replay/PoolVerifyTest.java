package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.timeline.MessageMatcher;
import io.stackcompanion.node.timeline.PoolEvents;
import io.stackcompanion.recorder.EventKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code recording.sh verify --pool}: a pool's recordings checked against each other, on the pool
 * recorded in {@code recordings/format3-pool.tgz} (the primary SIGKILLed and restarted, so many
 * messages were sent to a node that was down).
 */
class PoolVerifyTest {
    @TempDir
    Path tmp;

    @Test
    void anIntactPoolHasNoUnmatchedMessageBeyondThoseItsRecordedDisconnectsExplain() throws Exception {
        Path pool = RecordingFixtures.unpack("format3-pool.tgz", tmp);
        String[] r = TimelineBrowserTest.run("verify", "--pool", pool.toString(), "--json");
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        JsonNode p = TimelineBrowserTest.lastJson(r[1]).path("pool");
        assertThat(p.path("matched").asInt()).isEqualTo(1817);
        // the messages others sent to Node1 while it was down: all explained by the links they recorded as down
        assertThat(p.path("sentNotReceived").asInt()).isPositive().isEqualTo(p.path("explained").asInt());
        assertThat(p.path("unexplained").asInt()).isZero();
        assertThat(p.path("receivedNotSent").asInt()).isZero();
        assertThat(r[1]).contains("1,817 node-to-node messages matched", "0 not explained", "0 received but never sent");
    }

    @Test
    void aRecordingMissingOneIncomingMessageIsNamedWithTheMessage() throws Exception {
        Path pool = RecordingFixtures.unpack("format3-pool.tgz", tmp);
        PoolEvents events = PoolEvents.read(pool, false);
        MessageMatcher.Result matched = MessageMatcher.match(events);
        // a COMMIT Node3 received from Node2, mid-recording; and the OUTGOING at Node2 it matched
        int k = 0;
        while (!(events.nodeOf(matched.receipts()[k]).equals("Node3") && events.nodeOf(matched.sends()[k]).equals("Node2")
                && events.opName(matched.receipts()[k]).equals("COMMIT"))) {
            k++;
        }
        int receipt = matched.receipts()[k];
        int send = matched.sends()[k];
        deleteEvent(pool.resolve("data/Node3/recorder/node"), new EventKey(events.timeNanos(receipt), events.seqOf(receipt)));

        String[] r = TimelineBrowserTest.run("verify", "--pool", pool.toString(), "--json");
        System.out.println(r[2]); // what the user reads, kept in the surefire output
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2]).contains("error: Node3 never recorded receiving 1 message(s) sent to it on an open link; the first: COMMIT at "
                + PoolEvents.instant(events.timeNanos(send)) + " from Node2 (Node2 index " + events.indexOf(send) + ")");
        JsonNode p = TimelineBrowserTest.lastJson(r[1]).path("pool");
        assertThat(p.path("matched").asInt()).isEqualTo(1816);
        assertThat(p.path("unexplained").asInt()).isEqualTo(1);
        assertThat(p.path("gaps").get(0).path("node").asText()).isEqualTo("Node3");
        assertThat(p.path("gaps").get(0).path("senderIndex").asLong()).isEqualTo(events.indexOf(send));
    }

    /** Removes one event from a stack's RocksDB, as a damaged or tampered copy would lack it. */
    private static void deleteEvent(Path stack, EventKey key) throws Exception {
        RocksDB.loadLibrary();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions o = new DBOptions()) {
            List<ColumnFamilyDescriptor> cfs = List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
                    new ColumnFamilyDescriptor("meta".getBytes(StandardCharsets.UTF_8)));
            try (RocksDB db = RocksDB.open(o, stack.toString(), cfs, handles)) {
                assertThat(db.get(handles.get(0), key.toBytes())).isNotNull();
                db.delete(handles.get(0), key.toBytes());
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }
}
