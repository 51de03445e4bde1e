package io.stackcompanion.node.pool;

import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Message;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * What happens to a message between two nodes: typed rules, each matching by sending node, receiving
 * node and message type, and each doing one thing: drop, delay, duplicate, or rewrite (a byzantine
 * link). Built fluently:
 *
 * <pre>{@code
 * firewall.cut("Node1");                                              // every link of Node1 dropped
 * firewall.from("Node2").to("Node3").type(Commit.class).delay(200);   // COMMITs 2->3 late by 200 ms
 * firewall.type(Prepare.class, Propagate.class).duplicate();          // every PREPARE and PROPAGATE twice
 * firewall.from("Node2").type(CatchupRep.class).rewrite(m -> forged(m));
 * firewall.heal();                                                    // no rules
 * }</pre>
 *
 * Every rule that matches a message applies: a drop wins, delays add up, a duplicate delivers a second
 * copy, rewrites apply in the order the rules were added. Only node-to-node messages pass a firewall;
 * a client's requests and the nodes' replies do not. The simulator ({@link SimulatedPool}) applies it
 * on simulated time with its seeded link delays, so a run stays the same for the same seed; the
 * in-process pool applies it on the live node's sending seam (a {@code Stacks} decorator). Thread-safe:
 * rules may change while nodes send.
 */
public final class Firewall {
    /** What the firewall decided for one message on one link. */
    private record Fate(boolean dropped, long delayMillis, int copies, Message message) {
        static Fate pass(Message m) {
            return new Fate(false, 0, 1, m);
        }
    }

    /** Where a message that passes goes: the link, which delivers {@code bytes} {@code extraDelayMillis} later than it would. */
    @FunctionalInterface
    public interface Link {
        void deliver(byte[] bytes, long extraDelayMillis);
    }

    private enum Action { DROP, DELAY, DUPLICATE, REWRITE }

    private record Rule(Set<String> from, Set<String> to, Set<Class<? extends Message>> types, Action action,
                        long delayMillis, UnaryOperator<Message> rewrite) {
        boolean matches(String f, String t, Message m) {
            return (from.isEmpty() || from.contains(f)) && (to.isEmpty() || to.contains(t))
                    && (types.isEmpty() || types.stream().anyMatch(c -> c.isInstance(m)));
        }
    }

    /** A rule being built: which links and messages it matches; its action adds it to the firewall. */
    public final class Match {
        private final Set<String> from;
        private final Set<String> to;
        private final Set<Class<? extends Message>> types;

        private Match(Set<String> from, Set<String> to, Set<Class<? extends Message>> types) {
            this.from = from;
            this.to = to;
            this.types = types;
        }

        /** Only messages sent by one of {@code nodes}. */
        public Match from(String... nodes) {
            return new Match(Set.of(nodes), to, types);
        }

        /** Only messages sent to one of {@code nodes}. */
        public Match to(String... nodes) {
            return new Match(from, Set.of(nodes), types);
        }

        /** Only messages of one of these types ({@code Message} subtypes). */
        @SafeVarargs
        public final Match type(Class<? extends Message>... messageTypes) {
            return new Match(from, to, Set.of(messageTypes));
        }

        public Firewall drop() {
            return add(new Rule(from, to, types, Action.DROP, 0, null));
        }

        /** Delivers the matching messages {@code millis} later than the link would. */
        public Firewall delay(long millis) {
            if (millis < 0) {
                throw new IllegalArgumentException("a delay is not negative: " + millis);
            }
            return add(new Rule(from, to, types, Action.DELAY, millis, null));
        }

        /** Delivers every matching message twice. */
        public Firewall duplicate() {
            return add(new Rule(from, to, types, Action.DUPLICATE, 0, null));
        }

        /** A byzantine link: delivers what {@code rewrite} returns instead (the same instance to leave it). */
        public Firewall rewrite(UnaryOperator<Message> rewrite) {
            return add(new Rule(from, to, types, Action.REWRITE, 0, rewrite));
        }
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    /** A rule for messages sent by one of {@code nodes}. */
    public Match from(String... nodes) {
        return all().from(nodes);
    }

    /** A rule for messages sent to one of {@code nodes}. */
    public Match to(String... nodes) {
        return all().to(nodes);
    }

    /** A rule for messages of these types, on every link. */
    @SafeVarargs
    public final Match type(Class<? extends Message>... messageTypes) {
        return all().type(messageTypes);
    }

    /** A rule for every message on every link. */
    public Match all() {
        return new Match(Set.of(), Set.of(), Set.of());
    }

    /** Cuts every link of {@code node}, both ways (its connections stay up; nothing gets through). */
    public Firewall cut(String node) {
        from(node).drop();
        return to(node).drop();
    }

    /** Removes every rule. */
    public Firewall heal() {
        rules.clear();
        return this;
    }

    public boolean isOpen() {
        return rules.isEmpty();
    }

    /**
     * Passes {@code message} ({@code payload} encoded) sent by {@code from} to {@code to} through the
     * rules: {@code link} gets nothing (dropped), or the bytes to deliver (rewritten or not), once or
     * twice, with the delay the rules add.
     */
    public void pass(String from, String to, Message message, byte[] payload, Link link) {
        Fate fate = judge(from, to, message);
        if (fate.dropped()) {
            return;
        }
        byte[] bytes = fate.message() == message ? payload : Codec.encode(fate.message());
        for (int copy = 0; copy < fate.copies(); copy++) {
            link.deliver(bytes, fate.delayMillis());
        }
    }

    private Fate judge(String from, String to, Message message) {
        if (rules.isEmpty()) {
            return Fate.pass(message);
        }
        long delay = 0;
        int copies = 1;
        Message m = message;
        for (Rule r : rules) {
            if (!r.matches(from, to, message)) {
                continue;
            }
            switch (r.action) {
                case DROP -> {
                    return new Fate(true, 0, 0, message);
                }
                case DELAY -> delay += r.delayMillis;
                case DUPLICATE -> copies = 2;
                case REWRITE -> m = r.rewrite.apply(m);
            }
        }
        return new Fate(false, delay, copies, m);
    }

    private Firewall add(Rule rule) {
        rules.add(rule);
        return this;
    }
}
