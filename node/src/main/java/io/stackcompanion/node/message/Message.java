package io.stackcompanion.node.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every message on either stack, encoded and decoded only by {@link Codec}: as JSON with an
 * {@code op} field naming the kind (the client stack, and what digests and signatures cover), or, on
 * the node stack, in the binary form of {@link BinaryCodec}.
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
    @JsonSubTypes.Type(value = Checkpoint.class, name = "CHECKPOINT"),
    @JsonSubTypes.Type(value = InstanceChange.class, name = "INSTANCE_CHANGE"),
    @JsonSubTypes.Type(value = ViewChange.class, name = "VIEW_CHANGE"),
    @JsonSubTypes.Type(value = NewView.class, name = "NEW_VIEW"),
    @JsonSubTypes.Type(value = LedgerStatus.class, name = "LEDGER_STATUS"),
    @JsonSubTypes.Type(value = ConsistencyProof.class, name = "CONSISTENCY_PROOF"),
    @JsonSubTypes.Type(value = CatchupReq.class, name = "CATCHUP_REQ"),
    @JsonSubTypes.Type(value = CatchupRep.class, name = "CATCHUP_REP"),
    @JsonSubTypes.Type(value = MessageRequest.class, name = "MESSAGE_REQUEST"),
})
public sealed interface Message
        permits Request, ReqAck, Reject, Reply, Propagate, PrePrepare, Prepare, Commit, GetStatus, Status,
        Checkpoint, InstanceChange, ViewChange, NewView, LedgerStatus, ConsistencyProof, CatchupReq, CatchupRep,
        MessageRequest {
}
