package dev.lockwatch.it;

import dev.lockwatch.it.apps.ComposeAsyncApp;
import dev.lockwatch.it.apps.DoneStageApp;
import dev.lockwatch.it.apps.EitherStageApp;
import dev.lockwatch.it.apps.ForkJoinHelpingApp;
import dev.lockwatch.it.apps.IsolatedLoaderApp;
import dev.lockwatch.it.apps.StaleReadHoldApp;
import dev.lockwatch.it.apps.TimeoutStageApp;
import dev.lockwatch.it.apps.TwoCompletersApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Programs that finish and once made, or could make, a false report; each test is named after what it catches. */
class ReviewRegressionIT {
    @TempDir
    Path temp;

    private String run(Class<?> main) throws Exception {
        Path classes = ChildClasspath.copyApps(Files.createDirectories(temp.resolve("classes")), main);
        try (ChildJvm child = ChildJvm.start(List.of(ChildJvm.java(), ChildJvm.agentArg("interval=100ms"), "-cp",
                classes.toString(), main.getName()))) {
            assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child.output());
            String out = child.output();
            for (String kind : List.of("DEADLOCK", "STARVATION")) {
                assertFalse(out.contains(kind), "no " + kind + " in a program that finishes:\n" + out);
            }
            assertTrue(out.contains("transformation errors=0,"), out);
            return out;
        }
    }

    @Test
    void forkJoinWorkerThatRunsATaskWhileItJoinsIsNotADeadlock() throws Exception {
        assertTrue(run(ForkJoinHelpingApp.class).contains("fork-join-helping: all done"));
    }

    @Test
    void readLockReleasedThroughAMethodReferenceGivesNoFalseDeadlock() throws Exception {
        assertTrue(run(StaleReadHoldApp.class).contains("stale-read-hold: all done"));
    }

    @Test
    void aStageThatEitherOfTwoStagesCompletesDoesNotWaitBehindTheBlockedOne() throws Exception {
        assertTrue(run(EitherStageApp.class).contains("either-stage: all done, result 2"));
    }

    @Test
    void aStageWithATimeoutThatExpiresIsNotADeadlock() throws Exception {
        assertTrue(run(TimeoutStageApp.class).contains("timeout-stage: all done, timed out true true"));
    }

    @Test
    void stagesAfterAStageCompletedByHandDoNotWaitBehindItsTask() throws Exception {
        assertTrue(run(DoneStageApp.class).contains("done-stage: all done, d2"));
    }

    @Test
    void aComposeTaskThatHasRunIsNotQueued() throws Exception {
        assertTrue(run(ComposeAsyncApp.class).contains("compose-async: all done, 42 43"));
    }

    @Test
    void aStageThatTwoTasksRaceToCompleteDoesNotWaitBehindTheBlockedOne() throws Exception {
        assertTrue(run(TwoCompletersApp.class).contains("two-completers: all done, backup backup!"));
    }

    @Test
    void classOfALoaderThatCannotSeeTheAgentRunsUnchanged() throws Exception {
        String out = run(IsolatedLoaderApp.class);
        assertTrue(out.contains("isolated-loader: task ran"), out);
    }
}
