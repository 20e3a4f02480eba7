package fastpath;

import dev.lockwatch.agent.unrewritten.PlainLoops;
import java.util.Arrays;

/**
 * The lock fast path's cost measured inside one JVM with the agent: the same loops in a class the agent rewrites
 * ({@link RewrittenLoops}) and in one it leaves alone ({@code dev.lockwatch.agent.*} is never rewritten), in
 * interleaved bursts (A B B A), so that load from other processes weighs on both sides alike. What it measures is
 * the rewritten call site only (the record's work); the JDK hooks on contended paths are not involved. Run through
 * scripts/fastpath-ab.sh. Each op is a method the JIT must not inline (CompileCommand), as JMH's benchmark methods.
 */
public final class AB {
    public static void main(String[] args) {
        String[] names = {"reentrantLock", "nestedReentrantLocks", "readLock", "synchronizedBlock", "nestedSynchronized"};
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "30");
        int n = 2_000_000;
        PlainLoops p = new PlainLoops();
        RewrittenLoops r = new RewrittenLoops();
        long sink = 0;
        for (int w = 0; w < 5; w++) for (int b = 0; b < 5; b++) { sink += p.run(b, n); sink += r.run(b, n); }
        double[][] ratio = new double[5][rounds];
        double[][] plain = new double[5][rounds];
        double[][] rew = new double[5][rounds];
        for (int k = 0; k < rounds; k++) {
            for (int b = 0; b < 5; b++) {
                long t0 = System.nanoTime(); sink += p.run(b, n); long t1 = System.nanoTime(); sink += r.run(b, n); long t2 = System.nanoTime();
                long t3 = System.nanoTime(); sink += r.run(b, n); long t4 = System.nanoTime(); sink += p.run(b, n); long t5 = System.nanoTime();
                double a = (t1 - t0 + t5 - t4) / 2.0 / n, c = (t2 - t1 + t4 - t3) / 2.0 / n;
                plain[b][k] = a; rew[b][k] = c; ratio[b][k] = c / a;
            }
        }
        for (int b = 0; b < 5; b++) {
            double[] q = ratio[b].clone(); Arrays.sort(q);
            double[] pa = plain[b].clone(); Arrays.sort(pa); double[] re = rew[b].clone(); Arrays.sort(re);
            System.out.printf("%-22s plain %6.2f ns  rewritten %6.2f ns  ratio median %.3f  [q1 %.3f, q3 %.3f]%n", names[b],
                    pa[rounds / 2], re[rounds / 2], q[rounds / 2], q[rounds / 4], q[3 * rounds / 4]);
        }
        if (sink == 42) System.out.println();
    }
}
