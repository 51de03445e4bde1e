/**
 * The node's two network stacks over TCP (Netty): {@link io.stackcompanion.node.stack.NodeStack} (node to
 * node, authenticated against the pool genesis keys) and {@link io.stackcompanion.node.stack.ClientStack}
 * (clients to node), both behind {@link io.stackcompanion.node.stack.Stack}.
 *
 * <p>Frames are a 4-byte big-endian length followed by the payload; a negative or over-limit length
 * closes that connection only. Network threads touch nothing of the node: every event becomes a
 * {@link io.stackcompanion.node.core.CoreInput} handed to the sink (the node's input queue), which
 * must neither block nor throw. Per peer, the sink sees Connected, then Received frames in the order
 * the peer sent them, then one Disconnected, and possibly again after a reconnect.
 */
package io.stackcompanion.node.stack;
