package io.stackcompanion.sim.dst;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stackcompanion.node.client.ClientHistory;
import io.stackcompanion.node.config.ConfigKey;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.core.Txn;
import io.stackcompanion.node.message.Codec;
import io.stackcompanion.node.message.Operation;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What one seed's run did and what the checkers said. */
public record DstResult(DstRun.Options options, FaultPlan plan, String byzantine, NodeConfig config, int clients, int keys,
                        List<ClientHistory.Entry> history, Map<String, List<Txn>> ledgers, Map<String, Integer> views,
                        List<Checks.Check> checks, int noReply, long busiestSecond, long simulatedNanos, long wallNanos, String traceHash) {

    public boolean passed() {
        return checks.stream().allMatch(Checks.Check::ok);
    }

    /** The first checker that failed, as {@code checker: reason}. */
    public Optional<String> failure() {
        return checks.stream().filter(c -> !c.ok()).findFirst().map(c -> c.name() + ": " + c.failure());
    }

    public double speed() {
        return wallNanos == 0 ? 0 : (double) simulatedNanos / wallNanos;
    }

    private long count(String type) {
        return history.stream().filter(e -> e.op().type().equals(type)).count();
    }

    /** The run for people, several lines. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "seed %d: %d nodes, %d clients on %d keys; CHK_FREQ %s, MAX_BATCH_SIZE %s%n",
                options.seed(), options.nodes(), clients, keys, config.asMap().get(ConfigKey.CHK_FREQ.name()), config.asMap().get(ConfigKey.MAX_BATCH_SIZE.name())));
        b.append("  faults: ").append(plan.describe()).append('\n');
        if (!byzantine.isEmpty()) {
            b.append("  byzantine: ").append(byzantine).append(" (the checks are of the honest nodes)\n");
        }
        if (options.plant() != null) {
            b.append("  planted weakness: ").append(options.plant().label).append(" (").append(options.plant().description).append(")\n");
        }
        long ledger = ledgers.values().stream().mapToLong(List::size).max().orElse(0);
        b.append(String.format(Locale.ROOT, "  %d operations (PUT %d, GET %d, CAS %d), %d with no agreed reply; ledgers %s; views %s%n",
                history.size(), count(Operation.PUT), count(Operation.GET), count(Operation.CAS), noReply,
                sizes(), views.values().stream().distinct().map(String::valueOf).reduce((x, y) -> x + "," + y).orElse("-")));
        b.append(String.format(Locale.ROOT, "  simulated %.1f s in %.2f s of wall time (%.0fx)%n", simulatedNanos / 1e9, wallNanos / 1e9, speed()));
        b.append("  checks:");
        for (Checks.Check c : checks) {
            b.append(' ').append(c.name()).append(c.ok() ? " ok" : " FAILED").append(c == checks.get(checks.size() - 1) ? "" : ",");
        }
        b.append('\n').append("  trace hash ").append(traceHash).append('\n');
        if (ledger == 0 && !history.isEmpty()) {
            b.append("  (nothing was ordered)\n");
        }
        return b.toString();
    }

    private String sizes() {
        return ledgers.values().stream().map(l -> String.valueOf(l.size())).distinct().reduce((x, y) -> x + "/" + y).orElse("-");
    }

    /** One JSON object for {@code --json}. */
    public ObjectNode json() {
        ObjectNode o = Codec.mapper().createObjectNode();
        o.put("seed", options.seed()).put("nodes", options.nodes()).put("clients", clients).put("keys", keys);
        ArrayNode faults = o.putArray("faults");
        plan.faults().stream().sorted().forEach(f -> faults.add(f.label()));
        if (!byzantine.isEmpty()) {
            o.put("byzantine", byzantine);
        }
        if (options.plant() != null) {
            o.put("planted", options.plant().label);
        }
        o.put("operations", history.size()).put("noReply", noReply);
        ObjectNode ledgerSizes = o.putObject("ledgerSizes");
        ledgers.forEach((n, l) -> ledgerSizes.put(n, l.size()));
        o.put("busiestNodeSecondInputs", busiestSecond);
        o.put("simulatedSeconds", simulatedNanos / 1e9).put("wallSeconds", wallNanos / 1e9).put("speed", speed());
        ObjectNode cs = o.putObject("checks");
        checks.forEach(c -> cs.put(c.name(), c.ok() ? "ok" : c.failure()));
        o.put("passed", passed());
        o.put("traceHash", traceHash);
        return o;
    }
}
