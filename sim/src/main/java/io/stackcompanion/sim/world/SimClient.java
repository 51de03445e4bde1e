package io.stackcompanion.sim.world;

import io.stackcompanion.node.crypto.Keys;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;
import io.stackcompanion.node.message.Request;

import java.security.KeyPair;
import java.util.Base64;

/** A client of a simulated pool: signs requests with a key that is the same for the same seed. */
public final class SimClient {
    private final KeyPair keys;
    private final String identifier;
    private long nextReqId = 1;

    public SimClient(long seed) {
        this.keys = SimulatedPool.deterministicKeys(seed);
        this.identifier = Keys.encodePublic(keys.getPublic());
    }

    public String identifier() {
        return identifier;
    }

    public Request put(String key, String value) {
        return sign(nextReqId++, Operation.put(key, value));
    }

    public Request get(String key) {
        return sign(nextReqId++, Operation.get(key));
    }

    public Request cas(String key, String expected, String value) {
        return sign(nextReqId++, Operation.cas(key, expected, value));
    }

    public Request sign(long reqId, Operation op) {
        Request unsigned = new Request(identifier, reqId, op, "");
        byte[] sig = Keys.sign(keys, Codec.signingBytes(unsigned));
        return new Request(identifier, reqId, op, Base64.getEncoder().encodeToString(sig));
    }
}
