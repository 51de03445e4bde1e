package io.stackcompanion.replay;

import io.stackcompanion.node.NodeMain;
import io.stackcompanion.node.core.StackName;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.MalformedMessageException;
import io.stackcompanion.node.message.Message;
import io.stackcompanion.node.runtime.Stacks;
import io.stackcompanion.recorder.ErrorExit;
import io.stackcompanion.sim.byzantine.Liar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * A real node process that lies (issue 18), for tests only: {@code ByzantineNodeMain [--lies LIST|all]
 * [--rate R] [--lie-seed S] --base-dir DIR --name NODE}, the options after the liar's own those of
 * {@link NodeMain}. The node is the real one (core, store, stacks, recording with
 * {@code STACK_COMPANION=1}); every message its core sends on the node stack passes through the
 * simulator's {@link Liar}, one recipient at a time, at the seam where the core's sends reach the
 * stacks ({@link NodeMain#run}). Its recording holds what its honest core sent, the others' what it
 * really told them. Client-stack messages (REPLYs) are left alone. On stop it prints the lies it told
 * on stdout ({@code <node> told lies: ...}). A bad liar option: one line on stderr, exit 2; the rest
 * as {@link NodeMain}.
 */
public final class ByzantineNodeMain {
    /** The line it prints once the liar is set up, before the node's own "is up". */
    static final String LIES = " lies: ";
    /** The line it prints on stop, with the lies it told. */
    static final String TOLD = " told lies: ";

    private ByzantineNodeMain() {
    }

    public static void main(String[] args) {
        Set<Liar.Lie> lies = EnumSet.allOf(Liar.Lie.class);
        double rate = 0.3;
        long seed = 18;
        int i = 0;
        Liar liar;
        try {
            for (; i + 1 < args.length && Set.of("--lies", "--rate", "--lie-seed").contains(args[i]); i += 2) {
                switch (args[i]) {
                    case "--lies" -> lies = args[i + 1].equals("all") ? EnumSet.allOf(Liar.Lie.class)
                            : Arrays.stream(args[i + 1].split(",")).map(Liar.Lie::ofLabel)
                            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Liar.Lie.class)));
                    case "--rate" -> rate = Double.parseDouble(args[i + 1]);
                    default -> seed = Long.parseLong(args[i + 1]);
                }
            }
            liar = new Liar(new SplittableRandom(seed), lies, rate);
        } catch (IllegalArgumentException e) { // NumberFormatException too
            System.exit(ErrorExit.userError(System.err, "bad liar options (--lies LIST|all, --rate 0..1, --lie-seed N): "
                    + e.getMessage()));
            return;
        }
        String name = nameIn(args);
        System.out.println(name + LIES + liar.describe());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            String told = liar.told().entrySet().stream()
                    .map(e -> e.getKey().label() + " " + e.getValue()).collect(Collectors.joining(", "));
            System.out.println(name + TOLD + (told.isEmpty() ? "none" : told));
            System.out.flush();
        }, "liar-summary"));
        NodeMain.run(Arrays.copyOfRange(args, i, args.length), stacks -> lying(stacks, liar, name));
    }

    private static String nameIn(String[] args) {
        for (int k = 0; k + 1 < args.length; k++) {
            if (args[k].equals("--name")) {
                return args[k + 1];
            }
        }
        return "node";
    }

    /** The node's stacks, with every node-stack send told by {@code liar} to each recipient on its own. */
    static Stacks lying(Stacks honest, Liar liar, String name) {
        return new Stacks() {
            @Override
            public void send(StackName stack, List<String> peers, byte[] payload) {
                if (stack != StackName.NODE) {
                    honest.send(stack, peers, payload);
                    return;
                }
                Message message;
                try {
                    message = Codec.decode(payload);
                } catch (MalformedMessageException e) {
                    throw new IllegalStateException("the core sent a payload that is no message", e);
                }
                List<String> same = new ArrayList<>();
                for (String peer : peers) {
                    Liar.Told told = liar.tell(message, payload, name, peer);
                    if (told == null) {
                        continue; // silent to this peer
                    }
                    if (told.payload() == payload) {
                        same.add(peer);
                    } else {
                        honest.send(stack, List.of(peer), told.payload());
                    }
                }
                if (!same.isEmpty()) {
                    honest.send(stack, same, payload);
                }
            }

            @Override
            public void flush() {
                honest.flush();
            }

            @Override
            public void disconnect(StackName stack, String peer) {
                honest.disconnect(stack, peer);
            }
        };
    }
}
