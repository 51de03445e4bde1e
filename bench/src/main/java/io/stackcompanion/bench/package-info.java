/**
 * JMH benchmarks of the pieces on the recording and replay paths: recorder appends, reading a
 * recording back, the {@code CombinedRecorder} merge, the message codec and Ed25519 verification
 * (and, in {@code io.stackcompanion.node.stack} beside the class it measures, a node link's frame tag:
 * {@code FrameMacBenchmark}). {@link io.stackcompanion.bench.UntaggedNodeMain} runs a node without
 * frame tags for {@code scripts/bench.sh --frame-tags}.
 * Run them with {@code scripts/bench.sh --jmh [PATTERN] [JMH options]}; the pool benchmark (recording
 * on and off side by side, replay speed) is {@code scripts/bench.sh} without {@code --jmh}.
 */
package io.stackcompanion.bench;
