package io.stackcompanion.node.runtime;

import io.stackcompanion.node.core.CoreInput;
import io.stackcompanion.node.core.NodeCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one thread that runs a live core: takes inputs that network threads enqueue, delivers due
 * timers, and steps the core through its {@link CoreStepper} one input at a time. A core that
 * throws has broken an invariant: the loop stops loudly rather than limping on.
 */
public final class NodeLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLoop.class);
    private static final long IDLE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final CoreInput STOP = new CoreInput.TimerFired("\u0000stop");

    private final NodeCore core;
    private final CoreStepper stepper;
    private final Consumer<Throwable> onFatal;
    private final BlockingQueue<CoreInput> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;

    /**
     * @param stepper steps the core attached to it, on the live clock
     * @param onFatal called once, on the loop thread, if the core throws
     */
    public NodeLoop(CoreStepper stepper, Consumer<Throwable> onFatal) {
        this.core = stepper.core();
        this.stepper = stepper;
        this.onFatal = onFatal;
        this.thread = new Thread(this::run, core.name() + "-core");
    }

    /** Thread-safe: what stacks call from their threads. */
    public void enqueue(CoreInput input) {
        if (!stopping) {
            inbox.add(input);
        }
    }

    public void start() {
        inbox.add(new CoreInput.Started());
        thread.start();
    }

    /** Why the loop stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    private void run() {
        try {
            while (!stopping && turn()) {
                // each turn in its own method: the JIT compiles it as a method, and a deoptimisation in it
                // does not throw away the whole loop's on-stack compilation (those took 240 ms each)
            }
            stepper.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            log.error("{} stopped: its core failed on an input; this is a bug, please report it with the log and recording",
                    core.name(), t);
            onFatal.accept(t);
        }
    }

    /** Fires the timers due, then handles the next input if one comes before the next deadline; false on stop. */
    private boolean turn() throws InterruptedException {
        long now = stepper.clockNow();
        List<String> due = core.dueTimers(now);
        for (String timer : due) {
            stepper.step(new CoreInput.TimerFired(timer));
        }
        OptionalLong deadline = core.nextTimerDeadline();
        long wait = deadline.isPresent() ? Math.max(0, deadline.getAsLong() - stepper.clockNow()) : IDLE_WAIT_NANOS;
        CoreInput input = wait == 0 ? inbox.poll() : inbox.poll(Math.min(wait, IDLE_WAIT_NANOS), TimeUnit.NANOSECONDS);
        if (input == STOP) {
            return false;
        }
        if (input != null) {
            stepper.step(input);
        }
        return true;
    }

    /** Stops after the input being handled; inputs still queued are dropped, as a crash would. */
    @Override
    public void close() {
        stopping = true;
        inbox.add(STOP);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
