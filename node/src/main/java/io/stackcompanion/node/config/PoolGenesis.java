package io.stackcompanion.node.config;

import io.stackcompanion.node.crypto.Hashes;
import io.stackcompanion.node.message.Codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The pool as it was founded: its nodes, in order (the order decides primaries), with addresses and
 * public keys. No secret ever goes here. Stored as {@code pool_genesis.json} in the base dir.
 */
public record PoolGenesis(List<NodeInfo> nodes) {
    public static final String FILE_NAME = "pool_genesis.json";

    public PoolGenesis {
        nodes = List.copyOf(nodes);
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("a pool genesis lists at least one node");
        }
        if (nodes.stream().map(NodeInfo::name).distinct().count() != nodes.size()) {
            throw new IllegalArgumentException("node names in the pool genesis must be unique");
        }
    }

    public Quorums quorums() {
        return new Quorums(nodes.size());
    }

    public List<String> names() {
        return nodes.stream().map(NodeInfo::name).toList();
    }

    public Optional<NodeInfo> node(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst();
    }

    /** The node's position in the genesis, 0-based; the primary of view v is {@code nodes[v % n]}. */
    public int indexOf(String name) {
        return names().indexOf(name);
    }

    public byte[] toBytes() {
        return Codec.toBytes(this);
    }

    /** Hex SHA-256 of the canonical encoding: recordings name the pool they came from by this. */
    public String hash() {
        return Hashes.sha256Hex(toBytes());
    }

    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, Codec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** @throws ConfigException with a message naming the file when it is missing or not a genesis */
    public static PoolGenesis read(Path file) {
        try {
            return Codec.mapper().readValue(Files.readAllBytes(file), PoolGenesis.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException("no pool genesis at " + file + "; run 'scripts/pool.sh up' to create a pool");
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("pool genesis " + file + " is not valid: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
