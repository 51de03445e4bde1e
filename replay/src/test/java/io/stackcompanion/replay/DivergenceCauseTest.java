package io.stackcompanion.replay;

import com.fasterxml.jackson.databind.JsonNode;
import io.stackcompanion.node.message.Codec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the replayed core throws, the verdict keeps the whole exception: its stack is in the JSON
 * verdict ({@code causeTrace}) for the developer who has to find the bug; other divergences' JSON
 * is as before.
 */
class DivergenceCauseTest {

    @Test
    void aCoreFailureKeepsItsStackInTheJsonVerdict() {
        IllegalStateException thrown = new IllegalStateException("view 3 has no primary",
                new ArithmeticException("/ by zero"));
        Divergence d = new Divergence(12, "2026-01-01T00:00:01Z", "NODE",
                "the replayed core failed on this input: " + thrown.getMessage(), null, null, thrown);

        JsonNode json = Codec.mapper().valueToTree(d);

        assertThat(d.cause()).isSameAs(thrown);
        assertThat(json.get("causeTrace").asText())
                .startsWith("java.lang.IllegalStateException: view 3 has no primary")
                .contains("\tat io.stackcompanion.replay.DivergenceCauseTest.aCoreFailureKeepsItsStackInTheJsonVerdict")
                .contains("Caused by: java.lang.ArithmeticException: / by zero");
        assertThat(json.has("cause")).isFalse();
    }

    @Test
    void aDivergenceTheCoreDidNotThrowHasNoCause() {
        JsonNode json = Codec.mapper().valueToTree(new Divergence(3, null, null, "differs", null, null));

        assertThat(json.has("causeTrace")).isFalse();
        assertThat(json.has("cause")).isFalse();
        assertThat(json.get("reason").asText()).isEqualTo("differs");
    }
}
