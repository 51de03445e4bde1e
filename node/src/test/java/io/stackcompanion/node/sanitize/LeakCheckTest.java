package io.stackcompanion.node.sanitize;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The last check before a sanitized event or store is written. */
class LeakCheckTest {
    @Test
    void aCustomerValueIsFoundAnywhereItCouldHide() {
        LeakCheck leaks = new LeakCheck();
        leaks.add("MCowBQYDK2VwAyEAclientkey=");
        leaks.add("10.0.0.7:40000");
        leaks.add("short");
        assertThat(leaks.find(List.of("10.0.0.7:40000"), new byte[0])).isEqualTo("10.0.0.7:40000");
        byte[] catchup = ("{\"op\":\"CATCHUP_REP\",\"txns\":[\"{\\\"identifier\\\":\\\"MCowBQYDK2VwAyEAclientkey=\\\"}\"]}")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(leaks.find(List.of("Node2"), catchup)).isEqualTo("MCowBQYDK2VwAyEAclientkey=");
        assertThat(leaks.findInStore("MCowBQYDK2VwAyEAclientkey=:17".getBytes(StandardCharsets.UTF_8), new byte[8])).isNotNull();
        assertThat(leaks.find(List.of("Node2"), "{\"op\":\"REPLY\",\"identifier\":\"short\"}".getBytes(StandardCharsets.UTF_8)))
                .as("values shorter than %d characters may be protocol words", LeakCheck.MIN_LENGTH).isNull();
    }
}
