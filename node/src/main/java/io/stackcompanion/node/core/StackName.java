package io.stackcompanion.node.core;

/** The two stacks of a node, as in Indy Plenum: node to node, and clients to node. */
public enum StackName {
    NODE,
    CLIENT
}
