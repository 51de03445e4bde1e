package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Asks a node for its {@link Status} (client stack); what {@code pool.sh status} sends. With
 * {@code withRejected} true the answer also counts the messages the node rejected
 * ({@link Status#rejected()}). Null (the field left out) is how every GET_STATUS was before it
 * existed: {@code {"op":"GET_STATUS"}}, so recorded ones keep their bytes and their answers.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GetStatus(Boolean withRejected) implements Message {
    /** A plain status question, as it always was. */
    public GetStatus() {
        this(null);
    }
}
