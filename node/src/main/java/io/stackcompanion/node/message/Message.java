package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every message on either stack. The wire form is JSON with an {@code op} field naming the kind,
 * encoded and decoded only by {@link Codec}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "op")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Request.class, name = "REQUEST"),
    @JsonSubTypes.Type(value = ReqAck.class, name = "REQACK"),
    @JsonSubTypes.Type(value = Reject.class, name = "REJECT"),
    @JsonSubTypes.Type(value = Reply.class, name = "REPLY"),
    @JsonSubTypes.Type(value = Propagate.class, name = "PROPAGATE"),
    @JsonSubTypes.Type(value = PrePrepare.class, name = "PREPREPARE"),
    @JsonSubTypes.Type(value = Prepare.class, name = "PREPARE"),
    @JsonSubTypes.Type(value = Commit.class, name = "COMMIT"),
    @JsonSubTypes.Type(value = GetStatus.class, name = "GET_STATUS"),
    @JsonSubTypes.Type(value = Status.class, name = "STATUS"),
})
public sealed interface Message
        permits Request, ReqAck, Reject, Reply, Propagate, PrePrepare, Prepare, Commit, GetStatus, Status {
}
