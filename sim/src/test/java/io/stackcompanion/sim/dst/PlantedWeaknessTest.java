package io.stackcompanion.sim.dst;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The swarm finds a pool weakened against Byzantine nodes: with {@code --plant votes-for-any-digest}
 * (the nodes count PREPAREs and COMMITs whatever digest they name) the equivocating primaries of
 * {@code --faults byzantine} fork the honest nodes, and the agreement checker fails those seeds;
 * the same seeds with the defence in place all pass.
 */
class PlantedWeaknessTest {

    private record Swarm(int exit, JsonNode result) {
    }

    private static Swarm swarm(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--seeds", "1..12", "--requests", "100", "--faults", "byzantine", "--jobs", "2", "--json"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = DstCommands.swarm(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        return new Swarm(exit, new ObjectMapper().readTree(lines[lines.length - 1]));
    }

    @Test
    void theSwarmFindsNodesThatCountVotesForAnyDigestAndPassesTheSameSeedsWithoutTheWeakness() throws Exception {
        Swarm weakened = swarm("--plant", "votes-for-any-digest");
        assertThat(weakened.exit()).isEqualTo(DstCommands.FAILED);
        assertThat(weakened.result().get("failuresByChecker").has("agreement")).as(weakened.result().toString()).isTrue();
        assertThat(weakened.result().get("failures").get(0).get("reason").asText()).contains("hold different transactions");

        Swarm defended = swarm();
        assertThat(defended.exit()).as(defended.result().toString()).isZero();
        assertThat(defended.result().get("failed").asInt()).isZero();
        assertThat(defended.result().get("seeds").asInt()).isEqualTo(12);
    }
}
