package io.stackcompanion.node.client;

/** f+1 nodes refused a request; {@link #reason()} is what (most of) them said. */
public final class RequestRejectedException extends Exception {
    private final long reqId;
    private final String reason;

    public RequestRejectedException(long reqId, String reason) {
        super("request " + reqId + " rejected by the pool: " + reason);
        this.reqId = reqId;
        this.reason = reason;
    }

    public long reqId() {
        return reqId;
    }

    public String reason() {
        return reason;
    }
}
