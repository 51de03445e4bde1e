package io.stackcompanion.node.stack;

import io.stackcompanion.node.core.CoreInput;

import java.util.function.Consumer;

/**
 * Where a stack hands its inputs, when a received frame is to be prepared on the stack's own thread
 * first (decoded, its client signatures verified: {@code SignaturePrecheck}). {@link #prepare} runs
 * before the stack takes the lock under which it hands inputs over and the core sends, so the core
 * never waits for that work; {@link #accept} then takes the prepared input, in order.
 */
public interface PreparingSink extends Consumer<CoreInput> {
    /** On the stack's thread, without its lock: the input to hand over instead of {@code received}. */
    CoreInput prepare(CoreInput received);

    /** A sink that prepares each received input with {@code prepare}, then hands it to {@code then}. */
    static PreparingSink of(java.util.function.UnaryOperator<CoreInput> prepare, Consumer<CoreInput> then) {
        return new PreparingSink() {
            @Override
            public CoreInput prepare(CoreInput received) {
                return prepare.apply(received);
            }

            @Override
            public void accept(CoreInput input) {
                then.accept(input);
            }
        };
    }
}
