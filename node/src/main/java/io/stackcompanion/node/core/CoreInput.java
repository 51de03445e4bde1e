package io.stackcompanion.node.core;

import io.stackcompanion.node.crypto.SignatureVerdict;
import io.stackcompanion.node.message.Message;

import java.util.Arrays;
import java.util.List;

/**
 * Everything the core learns of the world arrives as one of these, on the core thread, in order.
 * This closed set is exactly what a recorder stores and a replayer feeds back.
 */
public sealed interface CoreInput {

    /** The node (re)started on its persisted data; always the first input a core sees. */
    record Started() implements CoreInput {}

    /**
     * A frame's payload as it came off the wire on {@code stack} from {@code peer}, not yet parsed;
     * {@code verdicts} answer signature checks of the client requests it holds (a client's REQUEST,
     * or the requests of a node's PROPAGATE), made on the stack's thread and recorded with the input,
     * so that a replay takes the same answers. Each answers one exact question (key, data and
     * signature, by digest); the core verifies itself whatever no verdict answers. Never null.
     *
     * <p>{@code decoded}, when not null, is {@code Codec.decode(bytes)}, decoded already on the stack's
     * thread (the signature precheck reads the request): the core takes it instead of decoding the
     * same bytes again. Decoding is a pure function of the bytes and the message immutable, so the
     * core decides exactly as without it; it is therefore neither recorded nor compared, and a replay,
     * which has only the bytes, decodes them itself.
     */
    record Received(StackName stack, String peer, byte[] bytes, List<SignatureVerdict> verdicts, Message decoded) implements CoreInput {
        public Received {
            verdicts = verdicts == null ? List.of() : List.copyOf(verdicts);
        }

        public Received(StackName stack, String peer, byte[] bytes) {
            this(stack, peer, bytes, List.of(), null);
        }

        /** With the one verdict of a client's request, or none if {@code verdict} is null. */
        public Received(StackName stack, String peer, byte[] bytes, SignatureVerdict verdict) {
            this(stack, peer, bytes, verdict == null ? List.of() : List.of(verdict), null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Received r && r.stack == stack && r.peer.equals(peer) && Arrays.equals(r.bytes, bytes)
                    && r.verdicts.equals(verdicts);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * stack.hashCode() + peer.hashCode()) + Arrays.hashCode(bytes)) + verdicts.hashCode();
        }

        @Override
        public String toString() {
            return "Received[" + stack + " from " + peer + ", " + bytes.length + " bytes" + (verdicts.isEmpty() ? "" : ", " + verdicts) + "]";
        }
    }

    /** A peer became reachable: an authenticated node link, or a client connection. */
    record Connected(StackName stack, String peer) implements CoreInput {}

    /** A peer became unreachable. */
    record Disconnected(StackName stack, String peer) implements CoreInput {}

    /** The timer named {@code timer}, scheduled earlier by the core through its timer service, is due. */
    record TimerFired(String timer) implements CoreInput {}
}
