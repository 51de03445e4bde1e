package io.stackcompanion.node.config;

import java.time.Duration;

/**
 * What the consensus core is configured with, parsed and validated once by {@link NodeConfig}; the
 * core never reads a configuration string.
 *
 * @param logSize batches above the stable checkpoint that may be proposed and accepted (watermarks)
 * @param chkFreq batches between checkpoints
 */
public record CoreSettings(int maxBatchSize, Duration maxBatchWait, int maxBatchesInFlight, Duration ppTimeTolerance,
                           int chkFreq, int logSize, Duration orderingTimeout, Duration viewChangeTimeout,
                           Duration primaryDisconnectGrace, Duration catchupTimeout, int catchupBatchSize) {
}
