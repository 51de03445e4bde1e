package io.stackcompanion.node.crypto;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A bounded map of pure answers, for any thread: at most {@code capacity} entries, the least recently
 * used goes first. An entry must be a pure function of its key, so what the map holds changes how fast
 * an answer comes, never the answer. The answer is computed outside the lock (two threads may both
 * compute one, with the same result); a computation that throws keeps nothing.
 */
final class Lru<K, V> {
    private final int capacity;
    private final Map<K, V> map;

    Lru(int capacity) {
        this.capacity = capacity;
        this.map = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > Lru.this.capacity;
            }
        };
    }

    /** The answer kept for {@code key}, or {@code compute}'s, then kept. */
    V get(K key, Function<? super K, ? extends V> compute) {
        synchronized (map) {
            V kept = map.get(key);
            if (kept != null) {
                return kept;
            }
        }
        V value = compute.apply(key);
        synchronized (map) {
            map.put(key, value);
        }
        return value;
    }

    int size() {
        synchronized (map) {
            return map.size();
        }
    }
}
