package io.stackcompanion.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The {@link SignatureBenchmark} operations interleaved in rounds (each round runs every operation
 * a few hundred times, in rotating order) and timed by this thread's CPU time as well as wall time:
 * on a 2-core machine shared with other work, JMH's wall-clock scores of operations run minutes
 * apart differ by the load of those minutes, while CPU time in the same rounds compares the
 * implementations themselves. Prints, per operation, the median µs per operation over the rounds
 * and its ratio to Bouncy Castle's.
 *
 * <p>usage: {@code java -cp ... io.stackcompanion.bench.SignatureRace [ROUNDS] [OPS_PER_ROUND]}
 */
public final class SignatureRace {
    private SignatureRace() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        SignatureBenchmark b = new SignatureBenchmark();
        b.sign();
        Map<String, Callable<Object>> ops = new LinkedHashMap<>();
        ops.put("verifyBcBytes", b::verifyBcBytes);
        ops.put("verifyBcCachedPoint", b::verifyBcCachedPoint);
        ops.put("verify", b::verify);
        ops.put("verifyBadSignature", b::verifyBadSignature);
        ops.put("decodeKeyAndVerify", b::decodeKeyAndVerify);
        ops.put("verifyJdk", b::verifyJdk);
        ops.put("verifySodium", b::verifySodium);
        ops.put("verifyAccp", b::verifyAccp);
        ops.put("signBc", b::signBc);
        ops.put("signWithKeyPair", b::signWithKeyPair);
        ops.put("signSodium", b::signSodium);
        ops.put("signAccp", b::signAccp);
        ops.put("signJdk", b::signJdk);
        // Drop what this machine cannot run (the benchmark's setup said why on stderr).
        ops.entrySet().removeIf(e -> {
            try {
                e.getValue().call();
                return false;
            } catch (Exception | Error x) {
                return true;
            }
        });
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<String> names = new ArrayList<>(ops.keySet());
        Map<String, double[]> cpu = new LinkedHashMap<>();
        Map<String, double[]> wall = new LinkedHashMap<>();
        names.forEach(n -> {
            cpu.put(n, new double[rounds]);
            wall.put(n, new double[rounds]);
        });
        int warmupRounds = Math.max(5, rounds / 4);
        for (int r = -warmupRounds; r < rounds; r++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get(Math.floorMod(r + k, names.size()));
                Callable<Object> op = ops.get(name);
                int n = name.startsWith("signJdk") || name.startsWith("verifyJdk") ? Math.max(1, perRound / 10) : perRound;
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    op.call();
                }
                long w1 = System.nanoTime();
                long c1 = mx.getCurrentThreadCpuTime();
                if (r >= 0) {
                    cpu.get(name)[r] = (c1 - c0) / 1e3 / n;
                    wall.get(name)[r] = (w1 - w0) / 1e3 / n;
                }
            }
        }
        double base = median(cpu.get("verifyBcBytes"));
        double signBase = cpu.containsKey("signBc") ? median(cpu.get("signBc")) : Double.NaN;
        System.out.printf(Locale.ROOT, "%-22s %12s %12s %10s%n", "operation", "cpu µs/op", "wall µs/op", "cpu ratio");
        for (String name : names) {
            double c = median(cpu.get(name));
            double ref = name.startsWith("sign") ? signBase : base;
            System.out.printf(Locale.ROOT, "%-22s %12.1f %12.1f %10.2f%n", name, c, median(wall.get(name)), c / ref);
        }
        System.out.printf(Locale.ROOT, "(%d rounds of %d ops after %d warm-up rounds; ratio: to verifyBcBytes, sign* to signBc)%n",
                rounds, perRound, warmupRounds);
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
