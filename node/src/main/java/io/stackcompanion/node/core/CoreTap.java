package io.stackcompanion.node.core;

import io.stackcompanion.node.message.Status;

import java.util.List;

/**
 * Sees everything that crosses the core's boundary, on the core thread, stamped with the core's
 * time: each input before the core handles it, each send as the core makes it, the end of each
 * input's handling, and the stop. This is
 * where a recorder listens. Implementations must be quick and must not call back into the core.
 */
public interface CoreTap {

    /** Taps nothing: normal operation. */
    CoreTap NONE = new CoreTap() {
        @Override
        public void onInput(long time, CoreInput input) {
        }

        @Override
        public void onSend(long time, StackName stack, List<String> peers, byte[] payload) {
        }

        @Override
        public void onHandled(long time) {
        }

        @Override
        public void onStop(long time, Status last) {
        }
    };

    void onInput(long time, CoreInput input);

    void onSend(long time, StackName stack, List<String> peers, byte[] payload);

    /** The input given to {@link #onInput} has been handled; everything it caused was sent. */
    void onHandled(long time);

    /** The node stops cleanly, standing at {@code last}; nothing follows. */
    void onStop(long time, Status last);

    /**
     * After the input just handled (before {@link #onHandled}) the stable checkpoint moved, or the node
     * is about to stop: where it stands, for a recording to keep. Nothing by default.
     */
    default void onState(long time, CoreSnapshot state) {
    }
}
