package dev.lockwatch.agent.instrument;

import dev.lockwatch.it.agents.HidingAgent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 12: a JDK method that another agent's transformation renamed was silently not hooked. The transformer
 * now names every hook whose class it rewrote without finding the method; on the JDK's own classes, none.
 */
class JdkHooksNotAppliedTest {
    private static byte[] jdkClass(String internalName) throws IOException {
        try (InputStream in = ClassLoader.getSystemResourceAsStream(internalName + ".class")) {
            assertNotNull(in, internalName);
            return in.readAllBytes();
        }
    }

    @Test
    void everyHookIsAppliedToTheJdksOwnClasses() throws IOException {
        JdkTransformer transformer = new JdkTransformer((name, t) -> fail("error in " + name, t), true);
        for (String owner : transformer.owners()) {
            transformer.rewrite(owner, jdkClass(owner));
        }
        assertEquals(Set.of(), transformer.notApplied());
        assertEquals(List.of(), transformer.takeNotApplied());
    }

    @Test
    void aMethodRenamedByAnotherAgentIsNamedOnce() throws IOException {
        JdkTransformer transformer = new JdkTransformer((name, t) -> fail("error in " + name, t), true);
        String futureTask = "java/util/concurrent/FutureTask";
        byte[] hidden = HidingAgent.rename(jdkClass(futureTask), "awaitDone", "awaitDune");
        assertNotNull(hidden);
        transformer.rewrite(futureTask, hidden);
        transformer.rewrite(futureTask, hidden); // a retransformation finds it missing again: told once
        assertEquals(List.of("java.util.concurrent.FutureTask.awaitDone"), transformer.takeNotApplied());
        assertEquals(List.of(), transformer.takeNotApplied());
        assertEquals(Set.of("java.util.concurrent.FutureTask.awaitDone"), transformer.notApplied());
    }
}
