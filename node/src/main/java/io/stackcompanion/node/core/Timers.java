package io.stackcompanion.node.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The core's timer service: named timers on the core's clock, one deadline per name. The core owns
 * this table, so which timers exist is part of its deterministic state; the loop around the core
 * only asks for the next deadline and delivers {@link CoreInput.TimerFired} when it is due, which is
 * what a recorder stores and a replayer feeds back.
 */
public final class Timers {
    private record Entry(long deadline, String name) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(deadline, o.deadline);
            return c != 0 ? c : name.compareTo(o.name);
        }
    }

    private final Map<String, Long> byName = new HashMap<>();
    private final TreeSet<Entry> byDeadline = new TreeSet<>();

    /** Schedules {@code name} at {@code deadlineNanos}, replacing an earlier deadline of that name. */
    public void schedule(String name, long deadlineNanos) {
        cancel(name);
        byName.put(name, deadlineNanos);
        byDeadline.add(new Entry(deadlineNanos, name));
    }

    /** Schedules {@code name} unless it is already scheduled. */
    public void scheduleIfAbsent(String name, long deadlineNanos) {
        if (!byName.containsKey(name)) {
            schedule(name, deadlineNanos);
        }
    }

    public void cancel(String name) {
        Long d = byName.remove(name);
        if (d != null) {
            byDeadline.remove(new Entry(d, name));
        }
    }

    public boolean isScheduled(String name) {
        return byName.containsKey(name);
    }

    /** The earliest deadline, if any timer is scheduled. */
    public OptionalLong nextDeadline() {
        return byDeadline.isEmpty() ? OptionalLong.empty() : OptionalLong.of(byDeadline.first().deadline());
    }

    /** Names due at {@code now}, earliest first (ties by name), without removing them. */
    public List<String> due(long now) {
        List<String> due = new ArrayList<>();
        for (Entry e : byDeadline) {
            if (e.deadline() > now) {
                break;
            }
            due.add(e.name());
        }
        return due;
    }

    /** Removes {@code name}; true if it was scheduled (a fired timer that was cancelled meanwhile is ignored). */
    public boolean fire(String name) {
        Long d = byName.remove(name);
        if (d == null) {
            return false;
        }
        byDeadline.remove(new Entry(d, name));
        return true;
    }
}
