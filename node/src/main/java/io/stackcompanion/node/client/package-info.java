/**
 * The pool client: {@link io.stackcompanion.node.client.Client} signs requests, sends them to every
 * node's client port (4-byte big-endian length + {@code Codec} JSON, see
 * {@link io.stackcompanion.node.client.Frames}), and trusts a result only when f+1 distinct nodes
 * agree on it.
 */
package io.stackcompanion.node.client;
