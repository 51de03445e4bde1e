package io.stackcompanion.sim.check;

import io.stackcompanion.sim.history.Operation;

import java.util.Objects;

/**
 * The sequential specification of one key: a register holding a string or nothing ({@code null}:
 * absent, its state before the history). PUT writes; GET must read the state; CAS writes its value
 * if the state equals its expected value and must then say applied, else must say not applied and
 * leaves the state. An operation with no reply accepts any output: only its effect counts.
 */
final class Register {
    private Register() {
    }

    /** The state after {@code op} taken in {@code state}, or {@link #ILLEGAL} if its output contradicts it. */
    static Object step(String state, Operation op) {
        return switch (op.kind()) {
            case PUT -> op.value();
            case GET -> !op.completed() || Objects.equals(state, op.read()) ? state : ILLEGAL;
            case CAS -> {
                boolean matches = Objects.equals(state, op.expected());
                if (op.completed() && op.applied() != matches) {
                    yield ILLEGAL;
                }
                yield matches ? op.value() : state;
            }
        };
    }

    /** Why {@code op} cannot be the next operation in {@code state}, for people; null if it can. */
    static String whyNot(String state, Operation op) {
        if (step(state, op) != ILLEGAL) {
            return null;
        }
        return switch (op.kind()) {
            case PUT -> null;
            case GET -> "it reads " + Operation.quote(op.read()) + ", but " + holds(state);
            case CAS -> op.applied()
                    ? "it applied, but " + holds(state) + ", not the expected " + Operation.quote(op.expected())
                    : "it did not apply, but " + holds(state) + ", as it expected";
        };
    }

    private static String holds(String state) {
        return state == null ? "the key is absent" : "the key holds " + Operation.quote(state);
    }

    /** Not a state: the operation cannot be taken there. */
    static final Object ILLEGAL = new Object();
}
