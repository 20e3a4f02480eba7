package dev.lockwatch.registry;

import dev.lockwatch.bootstrap.HeldWhileBlocking;
import dev.lockwatch.bootstrap.CallSites;
import dev.lockwatch.bootstrap.Registry;
import dev.lockwatch.bootstrap.Submissions;
import dev.lockwatch.bootstrap.ThreadRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry's hand-off paths, called directly as the advice calls them (no agent in this JVM). The test lives
 * outside {@code dev.lockwatch.bootstrap} so that its own frames count as application frames.
 */
class RegistryTest {

    @Test
    void aThreadIsWaitingOnlyBetweenBeginAndEndOfItsWait() {
        ThreadRecord me = Registry.current();
        Object future = new CompletableFuture<Void>();
        for (int round = 0; round < 3; round++) { // the record stays known between waits; the wait does not
            assertFalse(Registry.waiting().contains(me), "round " + round + ": not waiting before the wait");
            Registry.handoffBegin(future, false);
            assertTrue(Registry.waiting().contains(me), "round " + round + ": waiting during the wait");
            assertSame(future, me.waitingOn());
            Registry.handoffEnd(future);
            assertNull(me.waitingOn());
            assertFalse(Registry.waiting().contains(me), "round " + round + ": not waiting after the wait");
        }
    }

    @Test
    void aNestedWaitRestoresTheOuterOne() {
        ThreadRecord me = Registry.current();
        Object outer = new CompletableFuture<Void>();
        Object inner = new CompletableFuture<Void>();
        Registry.handoffBegin(outer, false);
        Registry.handoffBegin(inner, false);
        assertSame(inner, me.waitingOn());
        Registry.handoffEnd(inner);
        assertSame(outer, me.waitingOn());
        assertTrue(Registry.waiting().contains(me));
        Registry.handoffEnd(inner); // a second exit of a wait that is over ends nothing (a join of a done task)
        assertSame(outer, me.waitingOn());
        Registry.handoffEnd(outer);
        assertFalse(Registry.waiting().contains(me));
    }

    /**
     * The JDK clears a common-pool worker's thread-locals between tasks (JDK 17) or when it goes idle (JDK 21+),
     * so the same thread gets a new record: the set of threads that have waited must hold one record per thread,
     * not one per record ever made.
     */
    @Test
    void aThreadWhoseThreadLocalsTheJdkClearsStaysOneEntryInTheWaitingSet() throws Exception {
        java.lang.reflect.Field f = Registry.class.getDeclaredField("WAITING");
        f.setAccessible(true);
        java.util.Map<?, ?> waiting = (java.util.Map<?, ?>) f.get(null);
        java.util.Set<Thread> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int before = waiting.size();
        for (int i = 0; i < 60; i++) {
            CompletableFuture.runAsync(() -> {
                workers.add(Thread.currentThread());
                Object future = new Object();
                Registry.handoffBegin(future, true);
                Registry.handoffEnd(future);
            }).join();
            Thread.sleep(10); // lets the worker go idle, where JDK 21+ clears its thread-locals; not a verdict
        }
        assertTrue(waiting.size() - before <= workers.size(),
                waiting.size() - before + " new entries for " + workers.size() + " worker thread(s)");
    }

    @Test
    void eachSubmissionKeepsItsOwnPoolWhenOneThreadAlternatesPools() {
        Object poolA = new Object();
        Object poolB = new Object();
        List<Object> tasks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Object task = new Object();
            tasks.add(task);
            Registry.submitted(task, i % 3 == 2 ? poolB : poolA);
        }
        List<Submissions.Entry> recent = Submissions.recent();
        for (int i = 0; i < tasks.size(); i++) {
            Submissions.Entry found = null;
            for (Submissions.Entry e : recent) {
                if (e.task() == tasks.get(i)) {
                    found = e;
                }
            }
            assertTrue(found != null, "submission " + i + " is in the ring");
            assertSame(i % 3 == 2 ? poolB : poolA, found.pool(), "submission " + i + " names its pool");
        }
    }

    @Test
    void eachThreadRemembersItsOwnLastSixtyFourSubmissions() throws InterruptedException {
        Object pool = new Object();
        List<Object> mine = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Object task = new Object();
            mine.add(task);
            Registry.submitted(task, pool);
        }
        Object theirs = new Object();
        Thread other = new Thread(() -> Registry.submitted(theirs, pool), "other-submitter");
        other.start();
        other.join();
        List<Object> found = new ArrayList<>();
        for (Submissions.Entry e : Submissions.recent()) {
            found.add(e.task());
        }
        for (int i = 0; i < mine.size(); i++) {
            boolean kept = found.stream().anyMatch(mine.get(i)::equals);
            assertEquals(i >= 100 - 64, kept, "submission " + i + " of 100 is remembered only if among the last 64");
        }
        assertTrue(found.stream().anyMatch(theirs::equals), "another thread's submission is found through its record");
    }

    @Test
    void aLockHeldAcrossAHandoffWaitIsNotedOncePerPairOfSites() {
        drain();
        ReentrantLock lock = new ReentrantLock();
        int site = 42;
        Object future = new CompletableFuture<Void>();
        List<HeldWhileBlocking.Note> found = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // the same hold site and the same wait site every time
            CallSites.lock(lock, null, site);
            try {
                waitHere(future);
            } finally {
                lock.unlock();
            }
            found.addAll(drain());
        }
        assertEquals(1, found.size(), "one note for one pair of sites");
        HeldWhileBlocking.Note b = found.get(0);
        assertEquals(Thread.currentThread().getName(), b.threadName);
        assertEquals(site, b.sites[0]);
        assertSame(lock, b.locks[0]);
        assertTrue(b.waitSite.startsWith(RegistryTest.class.getName() + ".waitHere(RegistryTest.java:"), b.waitSite);
        assertEquals(CompletableFuture.class.getName(), b.waitsFor);
        assertTrue(b.stack.length > 0 && b.waitSite.equals(HeldWhileBlocking.firstApplicationFrame(b.stack)),
                "the stack starts where the wait site says: " + b.waitSite);

        CallSites.lock(lock, null, site); // the same hold site, another wait site: a new pair
        try {
            waitElsewhere(future);
        } finally {
            lock.unlock();
        }
        List<HeldWhileBlocking.Note> second = drain();
        assertEquals(1, second.size());
        assertTrue(second.get(0).waitSite.startsWith(RegistryTest.class.getName() + ".waitElsewhere("), second.get(0).waitSite);
    }

    /** A hold released before the wait (the release is not recorded) is not held across it. */
    @Test
    void aLockReleasedBeforeTheWaitIsNotNoted() {
        drain();
        ReentrantLock lock = new ReentrantLock();
        CallSites.lock(lock, null, 43);
        lock.unlock();
        waitElsewhere(new CompletableFuture<Void>());
        assertTrue(drain().isEmpty());
    }

    @Test
    void noLockHeldMeansNoFinding() {
        drain();
        waitHere(new CompletableFuture<Void>());
        assertTrue(drain().isEmpty());
    }

    private static void waitHere(Object future) {
        Registry.handoffBegin(future, false);
        Registry.handoffEnd(future);
    }

    private static void waitElsewhere(Object future) {
        Registry.handoffBegin(future, false);
        Registry.handoffEnd(future);
    }

    private static List<HeldWhileBlocking.Note> drain() {
        List<HeldWhileBlocking.Note> all = new ArrayList<>();
        for (HeldWhileBlocking.Note b; (b = HeldWhileBlocking.poll()) != null; ) {
            all.add(b);
        }
        return all;
    }
}
