package io.stackcompanion.sim.dst;

import io.stackcompanion.sim.DstMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One seed's run as {@code dst.sh run} does it, and a short swarm: what a developer relies on. */
class DstRunTest {
    @TempDir
    Path dir;

    private DstResult run(long seed, int requests, int nodes, EnumSet<Fault> faults) {
        return DstCommands.runInTemp(new DstRun.Options(seed, requests, 0, nodes, faults));
    }

    @Test
    void theSameSeedGivesTheSameRunAndAnotherSeedAnotherOne() {
        DstResult a = run(7, 40, 4, null);
        DstResult b = run(7, 40, 4, null);
        DstResult c = run(8, 40, 4, null);
        assertThat(a.passed()).as(a.summary()).isTrue();
        assertThat(b.traceHash()).as("trace hash of seed 7, run twice").isEqualTo(a.traceHash());
        assertThat(b.summary().replaceAll("in [0-9.]+ s of wall time \\(\\d+x\\)", ""))
                .isEqualTo(a.summary().replaceAll("in [0-9.]+ s of wall time \\(\\d+x\\)", ""));
        assertThat(c.traceHash()).isNotEqualTo(a.traceHash());
    }

    /**
     * Also seed 11's regression: with every fault, a node holding a PRE-PREPARE whose requests it never
     * got started catch-up after catch-up at once (a LEDGER_STATUS storm that never ended); now once
     * per batch and catch-up timeout.
     */
    @Test
    void everyFaultTogetherOnFourNodesPassesEveryCheck() {
        DstResult r = run(11, 80, 4, EnumSet.allOf(Fault.class));
        assertThat(r.plan().faults()).containsExactlyInAnyOrder(Fault.values());
        assertThat(r.passed()).as(r.summary()).isTrue();
        assertThat(r.history()).hasSizeGreaterThanOrEqualTo(80);
        assertThat(r.ledgers().values()).as("every node's ledger after the faults healed")
                .allSatisfy(l -> assertThat(l).hasSize(r.ledgers().get("Node1").size()));
    }

    @Test
    void sevenNodesToleratingTwoFaultsPassEveryCheck() {
        DstResult r = run(3, 60, 7, EnumSet.of(Fault.CRASH, Fault.DROP, Fault.PARTITION));
        assertThat(r.passed()).as(r.summary()).isTrue();
        assertThat(r.ledgers()).hasSize(7);
    }

    /**
     * Found by {@code dst.sh run --seed 42}: a node that lost 3-phase messages while a link was cut
     * stayed 26 transactions behind for good, since no further checkpoint came to tell it; now a
     * request it cannot order within the ordering timeout starts a catch-up.
     */
    @Test
    void seed42ANodeThatMissedBatchesOnACutLinkCatchesUp() {
        DstResult r = run(42, 200, 4, null);
        assertThat(r.plan().faults()).contains(Fault.CUT, Fault.PARTITION);
        assertThat(r.passed()).as(r.summary()).isTrue();
    }

    /**
     * Found by {@code dst.sh run --seed 30 --requests 200} and {@code --seed 118}: nodes that committed a
     * batch and then restarted forgot its prepared certificate, their VIEW_CHANGEs reported nothing,
     * and the NEW_VIEW dropped a batch another node had ordered: two honest ledgers differed. Prepared
     * certificates are now persisted before the COMMIT is sent.
     */
    @Test
    void seeds30And118RestartsAroundViewChangesKeepTheLedgersAgreed() {
        for (long seed : new long[] {30, 118}) {
            DstResult r = run(seed, 200, 4, null);
            assertThat(r.plan().faults()).as("seed %d", seed).contains(Fault.CRASH);
            assertThat(r.passed()).as(r.summary()).isTrue();
        }
    }

    /**
     * Issue 18's bench: f nodes lie on the wire (their cores are honest; what they send is changed), the
     * honest nodes still agree and answer every client, and the summary says who lied and how.
     */
    @Test
    void lyingNodesDoNotBreakTheHonestOnes() {
        DstResult four = run(3, 60, 4, EnumSet.of(Fault.BYZANTINE, Fault.DROP));
        assertThat(four.passed()).as(four.summary()).isTrue();
        assertThat(four.byzantine()).matches("Node\\d lie: .*");
        String liar = four.byzantine().substring(0, 5);
        assertThat(four.ledgers()).as("the honest nodes' ledgers are checked").hasSize(3).doesNotContainKey(liar);
        assertThat(four.summary()).contains("byzantine: " + liar + " lie: ");

        DstResult seven = run(5, 60, 7, EnumSet.of(Fault.BYZANTINE, Fault.CRASH, Fault.PARTITION));
        assertThat(seven.passed()).as(seven.summary()).isTrue();
        assertThat(seven.byzantine()).as("f = 2 liars").matches("Node\\d, Node\\d lie: .*");
        assertThat(seven.ledgers()).hasSize(5);
    }

    /**
     * Found by {@code dst.sh run --seed 579 --requests 200}: a node whose last batch no other node had
     * ordered called that batch's checkpoint stable after a catch-up that found nothing newer; its
     * NEW_VIEW started from that checkpoint, the batches the others had prepared were not re-ordered,
     * and they ordered the same requests in other batches. A catch-up now moves the stable checkpoint
     * only up to what f+1 nodes hold.
     */
    @Test
    void seed579AStableCheckpointIsOneTheOthersCanReach() {
        DstResult r = run(579, 200, 4, null);
        assertThat(r.plan().faults()).contains(Fault.CRASH, Fault.CUT, Fault.DROP);
        assertThat(r.passed()).as(r.summary()).isTrue();
    }

    /**
     * Found by the Byzantine bench ({@code --seed 54 --requests 100 --faults all}, {@code --seed 11
     * --requests 150 --faults byzantine,partition,cut,drop,delay}): view after view, the NEW_VIEW
     * re-ordered a batch that holds a request already ordered before it, which no node could apply.
     * Such a batch was committed nowhere: the re-ordered run now ends before it.
     */
    @Test
    void seeds54And11ANewViewBatchThatRepeatsAnOrderedRequestEndsTheReorderedRun() {
        DstResult a = run(54, 100, 4, EnumSet.allOf(Fault.class));
        assertThat(a.passed()).as(a.summary()).isTrue();
        DstResult b = run(11, 150, 4, EnumSet.of(Fault.BYZANTINE, Fault.PARTITION, Fault.CUT, Fault.DROP, Fault.DELAY));
        assertThat(b.passed()).as(b.summary()).isTrue();
    }

    /**
     * Found by {@code dst.sh run --seed 64 --requests 100 --nodes 7}: a node whose NEW_VIEW was lost
     * stayed in its view change for good (the others were in the view; its vote for the next one was
     * alone), a batch behind. When its view change times out it now sends its VIEW_CHANGE to the
     * primary again, which answers with its NEW_VIEW.
     */
    @Test
    void seed64ANodeThatMissedTheNewViewGetsItAgain() {
        DstResult r = run(64, 100, 7, null);
        assertThat(r.passed()).as(r.summary()).isTrue();
        assertThat(r.ledgers().values()).as("every node's ledger").allSatisfy(l -> assertThat(l).hasSize(r.ledgers().get("Node1").size()));
    }

    /**
     * Two honest nodes each lost the other's INSTANCE_CHANGE on a link that stayed up (drops), the liar
     * sent them none, and the view change they voted for never started: they waited in their view for
     * good. A vote that stands unanswered is now said again at each ordering timeout.
     */
    @Test
    void seed1046AnInstanceChangeLostOnALinkThatStayedUpIsSentAgain() {
        DstResult r = run(1046, 100, 4, EnumSet.allOf(Fault.class));
        assertThat(r.byzantine()).contains("Node1 lie");
        assertThat(r.passed()).as(r.summary()).isTrue();
    }

    /**
     * Seven nodes, two liars: some honest nodes missed the CHECKPOINTs that made checkpoint 40 stable
     * (they are not sent again), so their high watermark stayed at 40 and they refused every later
     * PRE-PREPARE, view after view, though each NEW_VIEW started from checkpoint 40. A NEW_VIEW's
     * checkpoint that the node has ordered is now stable there too.
     */
    @Test
    void seed80ANewViewsCheckpointIsStableOnTheNodesThatMissedItsCheckpointMessages() {
        DstResult r = run(80, 100, 7, EnumSet.allOf(Fault.class));
        assertThat(r.byzantine()).startsWith("Node5, Node7 lie");
        assertThat(r.passed()).as(r.summary()).isTrue();
    }

    /**
     * Seven nodes, two liars: the primary of the new view lost COMMITs of the last batches it re-ordered
     * (the pool ordered them) and looked at its ordering timeout again only a whole timeout after a
     * check that came just before it stood still for one: it caught up after the run's settle time.
     * The timeout is now looked at when the node has stood still for one.
     */
    @Test
    void seed884ANodeWhoseLastBatchesLackCommitsCatchesUpATimeoutAfterItsLastProgress() {
        DstResult r = run(884, 100, 7, EnumSet.allOf(Fault.class));
        assertThat(r.byzantine()).startsWith("Node1, Node7 lie");
        assertThat(r.passed()).as(r.summary()).isTrue();
    }

    @Test
    void aShortSwarmPassesAndSaysHowFastItRan() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = DstMain.run(new String[] {"swarm", "--seeds", "100..111", "--requests", "50", "--jobs", "2"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text + err).isZero();
        assertThat(text).startsWith("swarm 100..111: 12 seeds in ").contains(", 0 failed; simulated ");
    }

    @Test
    void badOptionsAreOneLineErrors() {
        for (List<String> args : List.of(List.of("run"), List.of("run", "--seed", "x"), List.of("run", "--seed", "1", "--nodes", "5"),
                List.of("run", "--seed", "1", "--faults", "flood"), List.of("swarm", "--seeds", "9..1"),
                List.of("run", "--seed", "1", "--requests", "5", "--seconds", "5"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = DstMain.run(args.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String e = err.toString(StandardCharsets.UTF_8);
            assertThat(code).as(args + ": " + e).isEqualTo(2);
            assertThat(e).as(String.valueOf(args)).startsWith("error: ").endsWith("\n").hasLineCount(1);
        }
    }
}
