/**
 * The recorder: a time-keyed, append-only event store on RocksDB. It knows bytes and event kinds,
 * never consensus types.
 *
 * <p>Writing: one {@link io.stackcompanion.recorder.Recorder} per stack, both sharing one
 * {@link io.stackcompanion.recorder.RecordingClock}. Reading: {@link
 * io.stackcompanion.recorder.RecordingReader}, fed in original or virtual time by {@link
 * io.stackcompanion.recorder.PacedReader} and {@link io.stackcompanion.recorder.VirtualTimeReader}.
 * Looking inside: {@link io.stackcompanion.recorder.RecordingStats}, {@link
 * io.stackcompanion.recorder.RecordingVerifier}, {@link io.stackcompanion.recorder.JsonLinesExporter}.
 * The on-disk format is documented in {@link io.stackcompanion.recorder.EventCodec} and
 * {@code recorder/FORMAT.md}.
 */
package io.stackcompanion.recorder;
