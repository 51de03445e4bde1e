package io.stackcompanion.bench;

import io.stackcompanion.node.NodeMain;
import io.stackcompanion.node.stack.NodeStack;

import java.util.function.UnaryOperator;

/**
 * A pool node whose node-link frames carry no tags, for {@code scripts/bench.sh --frame-tags} only
 * (what the tags cost): {@link NodeMain} with {@link NodeStack#withoutFrameTags()}, same options, same
 * output. Its handshake version is its own, so it links only with nodes started this way; a real
 * node refuses it. No option or configuration key of a node starts one.
 */
public final class UntaggedNodeMain {
    private UntaggedNodeMain() {
    }

    public static void main(String[] args) {
        NodeMain.run(args, UnaryOperator.identity(), NodeStack.withoutFrameTags());
    }
}
