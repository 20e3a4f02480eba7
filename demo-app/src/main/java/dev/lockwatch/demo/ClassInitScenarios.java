package dev.lockwatch.demo;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Static initializers that need each other (issue 14, scenario 7), and one that is only slow. The JVM shows a thread
 * waiting for another thread's static initializer as RUNNABLE, holding no lock, and its own deadlock search says
 * nothing.
 */
final class ClassInitScenarios {
    private static final Duration STUCK_BOUND = Duration.ofSeconds(10);

    private ClassInitScenarios() {
    }

    static List<Scenario> all() {
        return List.of(new Deadlock(), new Slow());
    }

    /** Both initializers have started: set by each just before it touches the other class. */
    static final CountDownLatch BOTH_STARTED = new CountDownLatch(2);
    static final CountDownLatch TOUCHING = new CountDownLatch(2);

    /** Initialized by "init-a"; its initializer needs {@link InitB}. */
    static final class InitA {
        static final int VALUE;

        static {
            started();
            VALUE = InitB.VALUE + 1;
        }
    }

    /** Initialized by "init-b"; its initializer needs {@link InitA}. */
    static final class InitB {
        static final int VALUE;

        static {
            started();
            VALUE = InitA.VALUE + 1;
        }
    }

    /** Returns once both initializers run, so each one's next line meets the other's initializer: every run. */
    private static void started() {
        BOTH_STARTED.countDown();
        try {
            BOTH_STARTED.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        TOUCHING.countDown();
    }

    /** Two threads, each initializing a class whose static initializer needs the other's class. */
    static final class Deadlock implements Scenario {
        @Override
        public String name() {
            return "class-init-deadlock";
        }

        @Override
        public String description() {
            return "two threads each run a static initializer that needs the other's class";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            Thread a = ThreadBody.daemon("init-a", () -> System.out.println("demo: never reached " + InitA.VALUE));
            Thread b = ThreadBody.daemon("init-b", () -> System.out.println("demo: never reached " + InitB.VALUE));
            a.start();
            b.start();
            // Past TOUCHING, a thread's next instruction needs the other class: it is stuck once it is RUNNABLE.
            Deadline bound = Deadline.after(STUCK_BOUND);
            boolean stuck = false;
            while (!stuck && !bound.passed()) {
                stuck = TOUCHING.getCount() == 0 && a.getState() == Thread.State.RUNNABLE
                        && b.getState() == Thread.State.RUNNABLE;
                Thread.sleep(10);
            }
            System.out.println("demo: " + name() + (stuck ? ": threads stuck: init-a, init-b" : ": threads did not get stuck"));
            end.sleepUntil();
            System.out.println("demo: " + name() + ": done");
        }
    }

    /** A static initializer that computes for about 1.5 s, then sleeps for 1.5 s, while another thread needs its class. */
    static final class SlowInit {
        static final long VALUE;

        static {
            long sum = 0;
            long until = System.nanoTime() + 1_500_000_000L;
            while (System.nanoTime() - until < 0) {
                sum += System.nanoTime() % 7;
            }
            try {
                Thread.sleep(1_500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            VALUE = sum;
        }
    }

    /** Healthy: one thread waits about 3 s for a slow static initializer, which then returns. */
    static final class Slow implements Scenario {
        @Override
        public String name() {
            return "class-init-slow";
        }

        @Override
        public String description() {
            return "a static initializer computes and sleeps for 3 s while another thread waits to use its class";
        }

        @Override
        public void run(Deadline end) throws InterruptedException {
            CountDownLatch initializing = new CountDownLatch(1);
            Thread init = ThreadBody.daemon("slow-initializer", () -> {
                initializing.countDown();
                System.out.println("demo: initialized " + (SlowInit.VALUE >= 0));
            });
            Thread user = ThreadBody.daemon("slow-init-user", () -> {
                initializing.await();
                Thread.sleep(100); // the initializer has begun: this thread waits for it
                System.out.println("demo: used " + (SlowInit.VALUE >= 0));
            });
            init.start();
            user.start();
            init.join();
            user.join();
            System.out.println("demo: " + name() + ": initialized");
            end.sleepUntil();
            System.out.println("demo: " + name() + ": done");
        }
    }
}
