/**
 * Recording archives, for {@code scripts/collect-recordings.sh} and {@code replay.sh --recording
 * ARCHIVE}: {@link io.stackcompanion.node.collect.Collector} gathers node recordings (local, or over
 * ssh) into a {@code .tar.gz} through consistent copies; {@link
 * io.stackcompanion.node.collect.RecordingArchive} writes it atomically with its {@link
 * io.stackcompanion.node.collect.Manifest} and unpacks it only once every byte matches.
 */
package io.stackcompanion.node.collect;
