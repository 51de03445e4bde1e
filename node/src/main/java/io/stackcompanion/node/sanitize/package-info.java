/**
 * Sanitized recordings: a copy of a pool's recordings in which customer data (operation keys and
 * values, client identities and signatures, client addresses) is replaced by keyed pseudonyms
 * ({@link io.stackcompanion.node.sanitize.SanitizeKey}, HMAC-SHA256 under a key that stays with the
 * customer) and everything derived from it (request and batch digests, ledger and state roots,
 * Merkle proofs, txn hashes, the stores' digests) is derived again, so the copy replays exactly.
 * {@link io.stackcompanion.node.sanitize.PoolFacts} learns the pool's ledger from every recording
 * first; {@link io.stackcompanion.node.sanitize.EventSanitizer} then rewrites each event;
 * {@link io.stackcompanion.node.sanitize.Sanitizer} writes the new recordings.
 */
package io.stackcompanion.node.sanitize;
